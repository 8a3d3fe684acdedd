"""The MUSTs of the W3C Web Annotation Data Model (REC 2017-02-23), as checks on one item.

Written from the specification's text, one function per section; each failure names the
requirement. Only what our exports can contain is checked in depth (textual bodies,
specific-resource targets with text selectors, agents); other shapes fail loudly.
"""

import re

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MOTIVATIONS = {
    "assessing", "bookmarking", "classifying", "commenting", "describing", "editing",
    "highlighting", "identifying", "linking", "moderating", "questioning", "replying", "tagging",
}  # fmt: skip
# xsd:dateTime with the UTC timezone expressed as "Z" (model §3.3.1).
UTC_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
# An absolute IRI: a scheme, a colon, then no white space (RFC 3987 in short).
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
# BCP 47 in short: a primary subtag and optional subtags.
BCP47 = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
AGENT_TYPES = {"Person", "Organization", "Software"}


def _many(value) -> list:
    return value if isinstance(value, list) else [value]


def check_annotation(item: dict) -> list[str]:
    """Every MUST of the model this item breaks (an empty list when it is valid)."""
    errors: list[str] = []
    # §3.1 Annotations
    context = item.get("@context")
    if context is None:
        errors.append("@context: an Annotation MUST have 1 or more @context values")
    elif isinstance(context, list):
        if ANNO_CONTEXT not in context:
            errors.append("@context: the anno.jsonld context MUST be one of the values")
        if len(context) == 1:
            errors.append("@context: a single @context value MUST be given as a string")
    elif context != ANNO_CONTEXT:
        errors.append("@context: the anno.jsonld context MUST be one of the values")
    if not isinstance(item.get("id"), str) or not IRI.match(item["id"]):
        errors.append("id: an Annotation MUST have exactly 1 IRI that identifies it")
    if "Annotation" not in _many(item.get("type", [])):
        errors.append("type: an Annotation MUST have 1 or more types, Annotation among them")
    targets = _many(item.get("target", []))
    if not targets or "target" not in item:
        errors.append("target: an Annotation MUST have 1 or more Targets")
    for motivation in _many(item.get("motivation", [])):
        if motivation not in MOTIVATIONS and not IRI.match(motivation):
            errors.append(f"motivation: {motivation!r} MUST be a Motivation")
    for body in _many(item.get("body", [])):
        errors += [f"body: {e}" for e in _check_resource(body, is_body=True)]
    for target in targets:
        errors += [f"target: {e}" for e in _check_resource(target, is_body=False)]
    # §3.3.1 Lifecycle: created, generated, modified
    for key in ("created", "generated", "modified"):
        if key in item and (not isinstance(item[key], str) or not UTC_DATETIME.match(item[key])):
            errors.append(f"{key}: MUST be xsd:dateTime with the UTC timezone expressed as Z")
    # §3.3.2 Agents: creator (1 or more), generator (exactly 1 if present)
    for creator in _many(item.get("creator", [])):
        errors += [f"creator: {e}" for e in _check_agent(creator)]
    if "generator" in item:
        if isinstance(item["generator"], list):
            errors.append("generator: an Annotation MAY have exactly 1 generator, not several")
        else:
            errors += [f"generator: {e}" for e in _check_agent(item["generator"])]
    return errors


def _check_resource(resource, *, is_body: bool) -> list[str]:
    errors: list[str] = []
    if isinstance(resource, str):
        return [] if IRI.match(resource) else ["an External Web Resource MUST be an IRI"]
    if not isinstance(resource, dict):
        return ["MUST be an IRI or an object"]
    types = _many(resource.get("type", []))
    if "TextualBody" in types or "value" in resource:
        # §3.2.4 Embedded Textual Body
        if not isinstance(resource.get("value"), str):
            errors.append("a Textual Body MUST have exactly 1 value, a string")
        for purpose in _many(resource.get("purpose", [])):
            if purpose not in MOTIVATIONS and not IRI.match(purpose):
                errors.append(f"purpose {purpose!r} MUST be a Motivation")
        errors += _check_language_and_format(resource)
        return errors
    if "source" in resource:
        # §4 Specific Resources: exactly 1 source; selectors
        source = resource["source"]
        if isinstance(source, list):
            errors.append("a Specific Resource MUST have exactly 1 source")
        else:
            errors += _check_resource(source, is_body=is_body)
        for selector in _many(resource.get("selector", [])):
            errors += _check_selector(selector)
        return errors
    # §3.2.1 External Web Resource: exactly 1 IRI
    if not isinstance(resource.get("id"), str) or not IRI.match(resource["id"]):
        errors.append("an External Web Resource MUST have exactly 1 IRI that identifies it")
    errors += _check_language_and_format(resource)
    return errors


def _check_language_and_format(resource: dict) -> list[str]:
    errors = []
    if "format" in resource and (
        not isinstance(resource["format"], str) or "/" not in resource["format"]
    ):
        errors.append("format: exactly 1 value, a media type")
    for language in _many(resource.get("language", [])):
        if not isinstance(language, str) or not BCP47.match(language):
            errors.append(f"language {language!r} MUST be a BCP47 language tag")
    return errors


def _check_selector(selector: dict) -> list[str]:
    kind = selector.get("type")
    errors = []
    if kind == "TextQuoteSelector":
        # §4.2.4: exactly 1 type; exactly 1 exact; prefix and suffix at most 1 each
        if not isinstance(selector.get("exact"), str):
            errors.append("a TextQuoteSelector MUST have exactly 1 exact property")
        for key in ("prefix", "suffix"):
            if key in selector and not isinstance(selector[key], str):
                errors.append(f"TextQuoteSelector {key}: at most 1, a string")
    elif kind == "TextPositionSelector":
        # §4.2.5: exactly 1 start and 1 end, non-negative integers
        for key in ("start", "end"):
            value = selector.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors.append(
                    f"a TextPositionSelector MUST have exactly 1 {key}, a non-negative integer"
                )
        if not errors and selector["end"] < selector["start"]:
            errors.append("TextPositionSelector: end before start")
    else:
        errors.append(f"selector type {kind!r}: not one this checker knows")
    return errors


def _check_agent(agent) -> list[str]:
    if isinstance(agent, str):
        return [] if IRI.match(agent) else ["an Agent given by reference MUST be an IRI"]
    errors = []
    if "id" in agent and (not isinstance(agent["id"], str) or not IRI.match(agent["id"])):
        errors.append("an Agent's id MUST be an IRI")
    for kind in _many(agent.get("type", [])):
        if kind not in AGENT_TYPES:
            errors.append(f"Agent type {kind!r} is not Person, Organization or Software")
    for key in ("name", "nickname"):
        if key in agent and not isinstance(agent[key], str):
            errors.append(f"an Agent's {key} is a string")
    if isinstance(agent.get("nickname"), list):
        errors.append("an Agent MAY have exactly 1 nickname")
    return errors
