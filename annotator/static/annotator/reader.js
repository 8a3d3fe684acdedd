/* Reading view: select text, rate and flag it, link a claim, save through the REST API.
 *
 * Offsets: the server speaks Unicode code points into the NFC document body; JavaScript strings
 * are UTF-16. Every passage element carries data-start (the code-point offset of its first
 * character) and data-gap (the whitespace up to the next passage), so a DOM selection maps to
 * document offsets by counting code points, never UTF-16 units.
 *
 * Everything a reviewer wrote is inserted with textContent; links only for http(s) URLs.
 */
(function () {
  "use strict";

  const reader = document.getElementById("reader");
  if (!reader) return;

  // Django's JavaScript catalogue (/i18n/js/) defines these; English if it failed to load.
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
  const interpolate = window.interpolate || ((format, values) => format.replace(/%\(\w+\)s/g, (m) => values[m.slice(2, -2)]));

  const API = reader.dataset.api;
  const DOCUMENT_ID = Number(reader.dataset.document);
  const LANGUAGE = reader.dataset.language;
  const CLAIM_URL = reader.dataset.claimUrl; // ".../claims/0/"

  const form = document.getElementById("annotation-form");
  const intro = document.getElementById("panel-intro");
  const details = document.getElementById("details");
  const detailsList = document.getElementById("details-list");
  const quote = document.getElementById("selection-quote");
  const suggestionNote = document.getElementById("suggestion-note");
  const errorsBox = document.getElementById("form-errors");
  const statusBox = document.getElementById("form-status");
  const evidenceHint = document.getElementById("evidence-hint");
  const saveButton = document.getElementById("save-button");
  const withdrawButton = document.getElementById("withdraw-button");
  const cancelButton = document.getElementById("cancel-button");
  const panelTitle = document.getElementById("panel-title");
  const claimSearch = document.getElementById("claim-search");
  const claimResults = document.getElementById("claim-results");
  const claimCreate = document.getElementById("claim-create");
  const claimChosen = document.getElementById("claim-chosen");
  const claimChosenLink = document.getElementById("claim-chosen-link");
  const claimRemove = document.getElementById("claim-remove");
  const claimProposed = document.getElementById("claim-proposed");
  const claimProposedList = document.getElementById("claim-proposed-list");

  let textEl = document.getElementById("document-text");
  let annotations = new Map();
  let suggestions = new Map();
  let body = { base: 0, chars: [] }; // the document body from the first passage, as code points
  let current = null; // what the form edits: {mode, start, end, exact, annotation, suggestion}
  let chosenClaim = null;
  let saving = false;

  /* ---------- data ---------- */

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : [];
  }

  /* Labels of the reliability scale, read from the form (one source of truth: the server). */
  const RELIABILITY_LABELS = {};
  form.querySelectorAll(".scale-option").forEach((option) => {
    const input = option.querySelector("input");
    if (input.value) RELIABILITY_LABELS[input.value] = option.querySelector(".scale-label").textContent;
  });

  /* The flags' labels in the page's language, likewise read from the form. */
  const FLAG_LABELS = {};
  form.querySelectorAll("input[name='flags']").forEach((input) => {
    const label = input.closest("label").querySelector("span");
    if (label) FLAG_LABELS[input.value] = label.textContent;
  });

  function loadData() {
    const passages = textEl.querySelectorAll(".passage");
    let text = "";
    passages.forEach((p) => {
      text += p.textContent + (p.dataset.gap || "");
    });
    body = { base: passages.length ? Number(passages[0].dataset.start) : 0, chars: Array.from(text) };
    clusterBoundaries = new Map();
    if (typeof detailsLoaded !== "undefined") detailsLoaded.clear();
    if (typeof wordEdges !== "undefined") wordEdges = new Map();
    // The quoted text is not sent twice: it is sliced from the body here.
    annotations = new Map(
      readJson("annotations-data").map((a) => {
        a.exact = bodySlice(a.start, a.end);
        a.reliability_label = RELIABILITY_LABELS[a.reliability] || "";
        return [a.id, a];
      })
    );
    suggestions = new Map(
      readJson("suggestions-data").map((s) => {
        s.exact = bodySlice(s.start, s.end);
        return [s.id, s];
      })
    );
  }

  function codePoints(text) {
    let count = 0;
    for (const _char of text) count += 1;
    return count;
  }

  function bodySlice(start, end) {
    return body.chars.slice(start - body.base, end - body.base).join("");
  }

  /* ---------- selection → code-point anchor ---------- */

  function passageOf(node) {
    const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    const passage = element && element.closest(".passage");
    return passage && textEl.contains(passage) ? passage : null;
  }

  function offsetIn(passage, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(passage);
    range.setEnd(node, offset);
    const utf16 = range.toString();
    return Number(passage.dataset.start) + codePoints(utf16);
  }

  /* ---------- grapheme clusters ----------
   * A flag (🇰🇷), an emoji family (👨‍👩‍👧) or a letter with a combining accent is several code
   * points but one character to a reader. The server refuses a span that starts or ends inside
   * one, so a selection is widened to whole clusters: its start moves back to the start of its
   * cluster, its end forward to the end of its cluster. Boundaries come from Intl.Segmenter,
   * per passage (clusters never cross the whitespace between passages), computed once. */
  const graphemes =
    typeof Intl !== "undefined" && Intl.Segmenter
      ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
      : null;
  let clusterBoundaries = new Map(); // passage data-start → sorted code-point boundaries

  function boundariesOf(passage) {
    let list = clusterBoundaries.get(passage.dataset.start);
    if (!list) {
      let offset = Number(passage.dataset.start);
      list = [offset];
      for (const part of graphemes.segment(passage.textContent)) {
        offset += codePoints(part.segment);
        list.push(offset);
      }
      clusterBoundaries.set(passage.dataset.start, list);
    }
    return list;
  }

  /* The nearest cluster boundary at or before (direction -1) or after (+1) an offset. */
  function snapToCluster(offset, direction) {
    if (!graphemes) return offset;
    for (const passage of textEl.querySelectorAll(".passage")) {
      if (offset <= Number(passage.dataset.start) || offset >= Number(passage.dataset.end)) continue;
      const list = boundariesOf(passage);
      let low = 0;
      let high = list.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (list[middle] <= offset) low = middle;
        else high = middle - 1;
      }
      if (list[low] === offset || direction < 0) return list[low];
      return list[Math.min(low + 1, list.length - 1)];
    }
    return offset;
  }

  function anchorFromRange(range) {
    if (!range || range.collapsed) return null;
    const touched = Array.from(textEl.querySelectorAll(".passage")).filter((p) => range.intersectsNode(p));
    if (!touched.length) return null;
    const startPassage = passageOf(range.startContainer);
    const endPassage = passageOf(range.endContainer);
    let start = startPassage
      ? offsetIn(startPassage, range.startContainer, range.startOffset)
      : Number(touched[0].dataset.start);
    let end = endPassage
      ? offsetIn(endPassage, range.endContainer, range.endOffset)
      : Number(touched[touched.length - 1].dataset.end);
    while (start < end && /\s/u.test(body.chars[start - body.base])) start += 1;
    while (end > start && /\s/u.test(body.chars[end - 1 - body.base])) end -= 1;
    start = snapToCluster(start, -1);
    end = snapToCluster(end, 1);
    if (end <= start) return null;
    return { start: start, end: end, exact: bodySlice(start, end) };
  }

  function anchorOfPassage(passage) {
    const start = Number(passage.dataset.start);
    const end = Number(passage.dataset.end);
    return { start: start, end: end, exact: bodySlice(start, end) };
  }

  function currentSelectionAnchor() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    return anchorFromRange(selection.getRangeAt(0));
  }

  /* Show the span being annotated while focus is in the panel (CSS Custom Highlight API). */
  function markPending(anchor) {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
    CSS.highlights.delete("pending");
    if (!anchor) return;
    const range = rangeForAnchor(anchor);
    if (range) CSS.highlights.set("pending", new Highlight(range));
  }

  /* The DOM position of a document code-point offset (inside a passage). */
  function pointAt(target) {
    for (const passage of textEl.querySelectorAll(".passage")) {
      const start = Number(passage.dataset.start);
      const end = Number(passage.dataset.end);
      if (target < start || target > end) continue;
      let remaining = target - start;
      const walker = document.createTreeWalker(passage, NodeFilter.SHOW_TEXT);
      let last = null;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        last = node;
        let utf16 = 0;
        for (const char of node.data) {
          if (remaining === 0) return { node: node, offset: utf16 };
          remaining -= 1;
          utf16 += char.length;
        }
        if (remaining === 0) return { node: node, offset: utf16 };
      }
      if (last) return { node: last, offset: last.data.length };
    }
    return null;
  }

  function rangeForAnchor(anchor) {
    const from = pointAt(anchor.start);
    const to = pointAt(anchor.end);
    if (!from || !to) return null;
    const range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    return range;
  }

  /* ---------- panel ---------- */

  function setHidden(element, hidden) {
    element.hidden = hidden;
  }

  function clearErrors() {
    errorsBox.replaceChildren();
    setHidden(errorsBox, true);
    form.querySelectorAll(".field-error").forEach((p) => {
      p.textContent = "";
      setHidden(p, true);
    });
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  }

  const FIELD_LABELS = {
    reliability: gettext("Reliability"),
    flags: gettext("Flags"),
    note: gettext("Note"),
    evidence: gettext("Evidence"),
    claim: gettext("Claim"),
    start: gettext("Selection"),
    end: gettext("Selection"),
    exact: gettext("Selection"),
    document: gettext("Document"),
    non_field_errors: "",
    detail: "",
  };

  function showErrors(errors) {
    clearErrors();
    const summary = document.createElement("p");
    summary.textContent = gettext("Not saved — please check:");
    errorsBox.append(summary);
    const list = document.createElement("ul");
    Object.entries(errors).forEach(([field, messages]) => {
      const text = Array.isArray(messages) ? messages.join(" ") : String(messages);
      const item = document.createElement("li");
      const label = field in FIELD_LABELS ? FIELD_LABELS[field] : field;
      item.textContent = label ? interpolate(gettext("%(field)s: %(message)s"), { field: label, message: text }, true) : text;
      list.append(item);
      const slot = document.getElementById("error-" + field);
      if (slot) {
        slot.textContent = text;
        setHidden(slot, false);
        const control = document.getElementById(field === "claim" ? "claim-search" : field);
        if (control) control.setAttribute("aria-invalid", "true");
      }
    });
    errorsBox.append(list);
    setHidden(errorsBox, false);
    errorsBox.focus && errorsBox.setAttribute("tabindex", "-1");
    errorsBox.focus();
  }

  function showStatus(message) {
    statusBox.textContent = message;
  }

  function resetForm() {
    // No rating is pre-selected: the reviewer chooses one, or "No rating (flags only)".
    form.querySelectorAll("input[name='reliability']").forEach((r) => {
      r.checked = false;
    });
    form.querySelectorAll("input[name='flags']").forEach((c) => {
      c.checked = false;
    });
    form.elements.note.value = "";
    form.elements.evidence.value = "";
    clearProposedClaims();
    setClaim(null);
    claimSearch.value = "";
    closeClaimResults();
    setHidden(claimCreate, true);
    clearErrors();
    showStatus("");
  }

  function fillForm(annotation) {
    form.querySelectorAll("input[name='reliability']").forEach((r) => {
      r.checked = r.value === (annotation.reliability ? String(annotation.reliability) : "");
    });
    const flags = new Set(annotation.flags || []);
    form.querySelectorAll("input[name='flags']").forEach((c) => {
      c.checked = flags.has(c.value);
    });
    form.elements.note.value = annotation.note || "";
    form.elements.evidence.value = (annotation.evidence || []).join("\n");
    setClaim(annotation.claim || null);
  }

  function ownAnnotationOn(anchor) {
    for (const annotation of annotations.values()) {
      if (annotation.is_own && annotation.start === anchor.start && annotation.end === anchor.end) {
        return annotation;
      }
    }
    return null;
  }

  function openForm(anchor, options) {
    options = options || {};
    const existing = options.annotation || ownAnnotationOn(anchor);
    resetForm();
    current = {
      mode: existing ? "edit" : "create",
      start: anchor.start,
      end: anchor.end,
      exact: anchor.exact,
      annotation: existing,
      suggestion: options.suggestion || null,
    };
    if (existing) {
      fillForm(existing);
      panelTitle.textContent = gettext("Edit your annotation");
    } else {
      panelTitle.textContent = current.suggestion ? gettext("Confirm a suggestion") : gettext("New annotation");
    }
    if (current.suggestion && !existing) {
      const box = form.querySelector("input[name='flags'][value='" + CSS.escape(current.suggestion.flag) + "']");
      if (box) box.checked = true;
      suggestionNote.textContent =
        interpolate(gettext("Machine suggestion (%(detector)s): %(reason)s"), {
          detector: current.suggestion.detector,
          reason: current.suggestion.reason,
        }, true);
      setHidden(suggestionNote, false);
    } else {
      setHidden(suggestionNote, true);
    }
    quote.textContent = anchor.exact;
    setHidden(withdrawButton, !existing);
    setHidden(intro, true);
    setHidden(form, false);
    showDetails(overlapping(anchor));
    markPending(anchor);
    updateEvidenceHint();
    // On a narrow screen the panel becomes a sheet over the bottom of the text (CSS); the
    // selected words move to the top of the screen, above it.
    reader.classList.add("is-annotating");
    if (window.matchMedia("(max-width: 960px)").matches) {
      const range = rangeForAnchor(anchor);
      const top = range && range.getBoundingClientRect().top;
      if (top !== null && top !== undefined) window.scrollBy({ top: top - 64, behavior: "instant" });
    }
    if (options.focus !== false) focusScale();
    proposeClaims(anchor);
  }

  function focusScale() {
    const checked = form.querySelector("input[name='reliability']:checked");
    (checked || form.querySelector("input[name='reliability']")).focus();
  }

  function closeForm() {
    current = null;
    reader.classList.remove("is-annotating");
    setHidden(form, true);
    setHidden(intro, false);
    panelTitle.textContent = gettext("Annotate");
    markPending(null);
  }

  function setRating(value) {
    const radio = form.querySelector("input[name='reliability'][value='" + value + "']");
    if (radio) {
      radio.checked = true;
      radio.focus();
    }
  }

  function ratingChosen() {
    return Boolean(form.querySelector("input[name='reliability']:checked"));
  }

  /* A flag that needs evidence (misattributed-quote, factual-error) with an empty evidence box
     gets a hint before saving: moderators list such flags in their queue. */
  function updateEvidenceHint() {
    if (!evidenceHint) return;
    const needing = Array.from(form.querySelectorAll("input[name='flags'][data-requires-evidence]:checked")).map(
      (box) => box.value
    );
    const empty = !form.elements.evidence.value.trim();
    evidenceHint.textContent =
      needing.length && empty
        ? interpolate(gettext("%(flags)s needs evidence: add a source (URL, DOI or citation) so others can check it."), { flags: needing.join(", ") }, true)
        : "";
    setHidden(evidenceHint, !(needing.length && empty));
  }

  function collectPayload() {
    const checked = form.querySelector("input[name='reliability']:checked");
    return {
      reliability: checked && checked.value ? Number(checked.value) : null,
      flags: Array.from(form.querySelectorAll("input[name='flags']:checked")).map((c) => c.value),
      note: form.elements.note.value,
      // Every line is sent, blank ones too, so that the server's "Line N" matches the box.
      evidence: form.elements.evidence.value.replace(/\s+$/, "").split("\n"),
      claim: chosenClaim ? chosenClaim.id : null,
    };
  }

  /* ---------- talking to the API ---------- */

  function csrfToken() {
    const input = form.querySelector("input[name='csrfmiddlewaretoken']");
    return input ? input.value : "";
  }

  async function callApi(method, path, payload, extraHeaders) {
    const headers = Object.assign(
      { Accept: "application/json", "X-CSRFToken": csrfToken() },
      payload === undefined ? {} : { "Content-Type": "application/json" },
      extraHeaders || {}
    );
    const response = await fetch(API + path, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    let data = null;
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) {
      try {
        data = await response.json();
      } catch (_error) {
        data = null;
      }
    }
    return { response: response, data: data };
  }

  function errorsFromResponse(response, data) {
    if (response.status === 400 && data && typeof data === "object") return data;
    if (response.status === 412) {
      if (current && current.annotation && data && data.current_version) {
        current.annotation.version = data.current_version;
      }
      return {
        non_field_errors: [
          interpolate(gettext("This annotation was changed elsewhere (now version %(version)s). Your input is kept: save again to replace it with what you see here."), { version: data && data.current_version }, true),
        ],
      };
    }
    if (response.status === 401 || response.status === 403) {
      return {
        non_field_errors: [
          (data && data.detail ? data.detail + " " : "") +
            gettext("Your session may have expired: log in again in another tab, then save; your input is kept."),
        ],
      };
    }
    if (response.status === 404) return { non_field_errors: [gettext("Not found: it may have been withdrawn or removed.")] };
    return {
      non_field_errors: [
        interpolate(gettext("The server could not save this (HTTP %(status)s). Your input is kept; try again."), { status: response.status }, true),
      ],
    };
  }

  async function save() {
    if (!current || saving) return;
    saving = true;
    saveButton.disabled = true;
    clearErrors();
    if (!ratingChosen()) {
      saving = false;
      saveButton.disabled = false;
      showErrors({ reliability: [gettext("Choose a rating, or “No rating (flags only)”.")] });
      return;
    }
    showStatus(gettext("Saving…"));
    const payload = collectPayload();
    let request;
    if (current.mode === "edit") {
      request = callApi("PATCH", "annotations/" + current.annotation.id + "/", payload, {
        "If-Match": '"' + current.annotation.version + '"',
      });
    } else if (current.suggestion) {
      request = callApi("POST", "suggestions/" + current.suggestion.id + "/accept/", payload);
    } else {
      request = callApi(
        "POST",
        "annotations/",
        Object.assign(
          { document: DOCUMENT_ID, start: current.start, end: current.end, exact: current.exact, suggestion: null },
          payload
        )
      );
    }
    try {
      const { response, data } = await request;
      if (response.ok) {
        const anchor = { start: current.start, end: current.end, exact: current.exact };
        await refreshText();
        const saved = data && data.id ? annotations.get(data.id) : ownAnnotationOn(anchor);
        openForm(anchor, { annotation: saved || null, focus: false });
        showStatus(gettext("Saved."));
        statusBox.scrollIntoView({ block: "nearest" });
        saveButton.focus();
      } else {
        showStatus("");
        showErrors(errorsFromResponse(response, data));
      }
    } catch (_error) {
      showStatus("");
      showErrors({ non_field_errors: [gettext("Could not reach the server. Your input is kept; try again.")] });
    } finally {
      saving = false;
      saveButton.disabled = false;
    }
  }

  async function withdraw(annotation) {
    if (!annotation) return;
    if (!window.confirm(interpolate(gettext("Withdraw your annotation on “%(text)s”?"), { text: annotation.exact.slice(0, 80) }, true))) return;
    try {
      const { response, data } = await callApi("POST", "annotations/" + annotation.id + "/withdraw/", {}, {
        "If-Match": '"' + annotation.version + '"',
      });
      if (!response.ok) {
        if (form.hidden) openForm(annotation, { annotation: annotation, focus: false });
        showErrors(errorsFromResponse(response, data));
        return;
      }
      await refreshText();
      closeForm();
      showDetails([]);
      offerUndo(annotation);
    } catch (_error) {
      showErrors({ non_field_errors: [gettext("Could not reach the server; nothing was withdrawn.")] });
    }
  }

  /* Undo a withdrawal: the same judgment is saved again on the same words (a new annotation;
     the withdrawn one stays in the history). */
  function offerUndo(annotation) {
    const message = intro.querySelector("p");
    message.textContent = gettext("Annotation withdrawn.") + " ";
    const undo = document.createElement("button");
    undo.type = "button";
    undo.className = "link-button";
    undo.id = "undo-withdraw";
    undo.textContent = gettext("Undo");
    undo.addEventListener("click", async () => {
      undo.disabled = true;
      const { response, data } = await callApi("POST", "annotations/", {
        document: DOCUMENT_ID,
        start: annotation.start,
        end: annotation.end,
        exact: annotation.exact,
        reliability: annotation.reliability || null,
        flags: annotation.flags || [],
        note: annotation.note || "",
        evidence: annotation.evidence || [],
        claim: annotation.claim ? annotation.claim.id || annotation.claim : null,
      });
      if (!response.ok) {
        undo.disabled = false;
        message.textContent = interpolate(gettext("Could not restore it (HTTP %(status)s)."), { status: response.status }, true) + " ";
        message.append(undo);
        return;
      }
      await refreshText();
      message.textContent = gettext("Restored.");
      const restored = data && data.id ? annotations.get(data.id) : null;
      if (restored) openForm(restored, { annotation: restored, focus: false });
    });
    message.append(undo);
    undo.focus();
  }

  async function dismissSuggestion(suggestion) {
    const { response, data } = await callApi("POST", "suggestions/" + suggestion.id + "/dismiss/", {});
    if (!response.ok) {
      window.alert((data && data.detail) || interpolate(gettext("Could not dismiss the suggestion (HTTP %(status)s)."), { status: response.status }, true));
      return;
    }
    await refreshText();
    showDetails([]);
  }

  /* Re-render the text (highlights, badges, blind-review unlocks) from the server, in place. */
  async function refreshText() {
    const focusedIndex = document.activeElement && document.activeElement.closest && document.activeElement.closest(".passage")
      ? document.activeElement.closest(".passage").dataset.index
      : null;
    const url = new URL(window.location.href);
    url.hash = "";
    url.searchParams.set("fragment", "text");
    const response = await fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error("refresh failed: " + response.status);
    const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = parsed.getElementById("document-text");
    if (!fresh) throw new Error("refresh failed: no text");
    const imported = document.importNode(fresh, true);
    textEl.replaceWith(imported);
    textEl = imported;
    document.querySelectorAll(".inline-thread").forEach((box) => box.remove());
    loadData();
    reopenThreads();
    renderIndex();
    if (focusedIndex !== null) {
      const passage = textEl.querySelector(".passage[data-index='" + focusedIndex + "']");
      if (passage) passage.focus({ preventScroll: true });
    }
  }

  /* ---------- discussion threads, inline under their passage ---------- */

  /* The "Discuss" badge next to a passage's consensus links to the thread page; here it opens
     the thread under the passage instead (GET ?fragment=thread), and the thread's forms (post,
     edit, delete) are sent with inline=1 and answered with the re-rendered thread. */
  const openThreads = new Set(); // consensus ids, re-opened after the text is refreshed

  function threadBox(id) {
    return document.getElementById("thread-" + id);
  }

  async function fillThread(box, response) {
    const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
    const section = parsed.querySelector("section.discussion");
    if (!section) throw new Error("no thread in the answer");
    box.replaceChildren(document.importNode(section, true));
    // Keep the badge's count (comments not hidden) in step with what was just posted.
    const link = textEl.querySelector("a.badge-thread[data-thread='" + section.dataset.thread + "']");
    const count = box.querySelectorAll(".comment-list > li:not(.comment-hidden)").length;
    if (link && link.lastChild && link.lastChild.nodeType === Node.TEXT_NODE) {
      link.lastChild.textContent = " · " + count;
      link.title = interpolate(ngettext("Discussion: %(count)s comment", "Discussion: %(count)s comments", count), { count: count }, true);
    }
  }

  async function openThread(link, options) {
    const id = link.dataset.thread;
    const row = link.closest(".passage-row");
    let box = threadBox(id);
    if (!box) {
      box = element("div", "inline-thread");
      box.id = "thread-" + id;
      row.after(box);
    }
    const url = new URL(link.href, window.location.href);
    url.searchParams.set("fragment", "thread");
    const response = await fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) {
      box.remove();
      window.location.href = link.href; // let the thread page say why
      return;
    }
    await fillThread(box, response);
    openThreads.add(id);
    link.setAttribute("aria-expanded", "true");
    link.setAttribute("aria-controls", box.id);
    if (!options || options.focus !== false) {
      const field = box.querySelector(".comment-form textarea");
      if (field) field.focus();
    }
  }

  function closeThread(link) {
    const box = threadBox(link.dataset.thread);
    if (box) box.remove();
    openThreads.delete(link.dataset.thread);
    link.setAttribute("aria-expanded", "false");
    link.removeAttribute("aria-controls");
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.badge-thread");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    if (link.getAttribute("aria-expanded") === "true") closeThread(link);
    else openThread(link);
  });

  document.addEventListener("submit", async (event) => {
    const box = event.target.closest && event.target.closest(".inline-thread");
    if (!box) return;
    event.preventDefault();
    const sending = event.target;
    const button = sending.querySelector("button[type='submit']");
    if (button) button.disabled = true;
    const response = await fetch(sending.action, {
      method: "POST",
      body: new FormData(sending),
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (response.ok || response.status === 400) {
      await fillThread(box, response);
      const focus = box.querySelector("[role='alert']") || box.querySelector(".comment-form textarea");
      if (focus) {
        if (!focus.matches("textarea")) focus.tabIndex = -1;
        focus.focus();
      }
    } else {
      if (button) button.disabled = false;
      window.alert(interpolate(gettext("The comment could not be saved (HTTP %(status)s)."), { status: response.status }, true));
    }
  });

  async function reopenThreads() {
    for (const id of Array.from(openThreads)) {
      const link = textEl.querySelector("a.badge-thread[data-thread='" + id + "']");
      if (link) await openThread(link, { focus: false });
      else openThreads.delete(id);
    }
  }

  /* ---------- details of highlights ---------- */

  function overlapping(anchor) {
    const found = [];
    annotations.forEach((a) => {
      if (a.start < anchor.end && a.end > anchor.start) found.push({ kind: "annotation", item: a });
    });
    suggestions.forEach((s) => {
      if (s.start < anchor.end && s.end > anchor.start) found.push({ kind: "suggestion", item: s });
    });
    return found;
  }

  function safeHttpUrl(text) {
    try {
      const url = new URL(text);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (_error) {
      return null;
    }
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null) el.textContent = text;
    return el;
  }

  /* A rating's label in the page's language (RELIABILITY_LABELS, read from the form the server
     rendered); the API's English label only if the form has none. */
  function ratingLabel(value, fallback) {
    return RELIABILITY_LABELS[value] || fallback;
  }

  function annotationItem(a) {
    const li = element("li", a.is_own ? "is-own" : "");
    const head = element("div", "detail-head");
    head.append(element("span", "", a.is_own ? gettext("You") : a.reviewer.username));
    if (a.reliability) {
      head.append(element("span", "rating rating-" + a.reliability, a.reliability + " · " + ratingLabel(a.reliability, a.reliability_label)));
    }
    li.append(head);
    const quoteEl = element("p", "detail-quote", "“" + a.exact + "”");
    quoteEl.lang = LANGUAGE;
    li.append(quoteEl);
    if (a.flags && a.flags.length) {
      const flags = element("p");
      a.flags.forEach((slug) => flags.append(element("span", "flag-chip", slug)));
      li.append(flags);
    }
    if (a.note) li.append(element("p", "note", a.note));
    if (a.evidence && a.evidence.length) {
      const list = element("ul", "evidence");
      a.evidence.forEach((item) => {
        const entry = element("li");
        const href = safeHttpUrl(item);
        if (href) {
          const link = element("a", "", item);
          link.href = href;
          link.rel = "noopener noreferrer nofollow";
          entry.append(link);
        } else {
          entry.textContent = item;
        }
        list.append(entry);
      });
      li.append(list);
    }
    if (a.claim) {
      const claim = element("p", "detail-claim", gettext("Claim:") + " ");
      const link = element("a", "", a.claim.text);
      link.href = CLAIM_URL.replace(/0\/$/, a.claim.id + "/");
      claim.append(link);
      li.append(claim);
    }
    if (a.is_own) {
      const actions = element("div", "detail-actions");
      const edit = element("button", "button button-small", gettext("Edit"));
      edit.type = "button";
      edit.addEventListener("click", () => openForm(a, { annotation: a }));
      const remove = element("button", "button button-small button-danger", gettext("Withdraw"));
      remove.type = "button";
      remove.addEventListener("click", () => withdraw(a));
      actions.append(edit, remove);
      li.append(actions);
    }
    return li;
  }

  function suggestionItem(s) {
    const li = element("li", "is-suggestion");
    const head = element("div", "detail-head");
    head.append(element("span", "", gettext("Suggestion") + " · " + s.flag_label));
    head.append(element("span", "meta", Math.round(s.confidence * 100) + "%"));
    li.append(head);
    const quoteEl = element("p", "detail-quote", "“" + s.exact + "”");
    quoteEl.lang = LANGUAGE;
    li.append(quoteEl);
    li.append(element("p", "note", s.reason));
    const actions = element("div", "detail-actions");
    const accept = element("button", "button button-small", gettext("Review and accept"));
    accept.type = "button";
    accept.addEventListener("click", () => openForm(s, { suggestion: s }));
    const dismiss = element("button", "button button-small", gettext("Dismiss"));
    dismiss.type = "button";
    dismiss.addEventListener("click", () => dismissSuggestion(s));
    actions.append(accept, dismiss);
    li.append(actions);
    return li;
  }

  function showDetails(entries) {
    detailsList.replaceChildren();
    entries.forEach((entry) => {
      detailsList.append(entry.kind === "annotation" ? annotationItem(entry.item) : suggestionItem(entry.item));
    });
    setHidden(details, entries.length === 0);
    loadDetails(entries);
  }

  /* Others' notes and evidence are not in the page (they would weigh megabytes on a busy
     document): fetch them from the API, passage by passage, the first time they are shown.
     The API applies the same visibility policy as the page. */
  const detailsLoaded = new Set(); // passage ids
  let detailsShown = 0; // which showDetails call is on screen
  async function loadDetails(entries) {
    const mine = ++detailsShown;
    const passages = new Set(
      entries
        .filter((entry) => entry.kind === "annotation" && !entry.item.is_own && !("note" in entry.item))
        .map((entry) => entry.item.passage)
        .filter((passage) => passage && !detailsLoaded.has(passage))
    );
    if (!passages.size) return;
    for (const passage of passages) {
      detailsLoaded.add(passage);
      const { response, data } = await callApi("GET", "annotations/?passage=" + passage + "&page_size=500");
      if (!response.ok || !data) {
        detailsLoaded.delete(passage);
        continue;
      }
      (data.results || data).forEach((full) => {
        const known = annotations.get(full.id);
        if (known) Object.assign(known, { note: full.note, evidence: full.evidence || [] });
      });
    }
    if (mine !== detailsShown) return; // another highlight was opened meanwhile
    // Re-render what is on screen now with the details filled in.
    detailsList.replaceChildren();
    entries.forEach((entry) => {
      detailsList.append(entry.kind === "annotation" ? annotationItem(entry.item) : suggestionItem(entry.item));
    });
  }

  function showMarkDetails(mark) {
    textEl.querySelectorAll("mark.is-active").forEach((m) => m.classList.remove("is-active"));
    mark.classList.add("is-active");
    const entries = [];
    (mark.dataset.ann || "").split(" ").filter(Boolean).forEach((id) => {
      const a = annotations.get(Number(id));
      if (a) entries.push({ kind: "annotation", item: a });
    });
    (mark.dataset.sugg || "").split(" ").filter(Boolean).forEach((id) => {
      const s = suggestions.get(Number(id));
      if (s) entries.push({ kind: "suggestion", item: s });
    });
    if (!current) setHidden(intro, true);
    showDetails(entries);
  }

  /* ---------- claim picker ---------- */

  function setClaim(claim) {
    chosenClaim = claim;
    setHidden(claimChosen, !claim);
    if (claim) {
      claimChosenLink.textContent = claim.text;
      claimChosenLink.href = CLAIM_URL.replace(/0\/$/, claim.id + "/");
    }
    showProposedClaims();
  }

  /* Claims the span probably states (claim matching, /claims/for-span/), best first with their
     score: buttons under the search box, shown while no claim is chosen. */
  let proposalSerial = 0;

  function clearProposedClaims() {
    proposalSerial += 1;
    claimProposedList.replaceChildren();
    setHidden(claimProposed, true);
  }

  function showProposedClaims() {
    setHidden(claimProposed, Boolean(chosenClaim) || !claimProposedList.children.length);
  }

  async function proposeClaims(anchor) {
    const serial = ++proposalSerial;
    const query = "?document=" + DOCUMENT_ID + "&start=" + anchor.start + "&end=" + anchor.end;
    try {
      const { response, data } = await callApi("GET", "claims/for-span/" + query);
      if (serial !== proposalSerial || !response.ok || !data || !Array.isArray(data.results)) return;
      claimProposedList.replaceChildren();
      data.results.forEach((proposal) => {
        const item = element("li", "claim-proposal");
        const button = element("button", "link-button claim-proposal-button");
        button.type = "button";
        const text = element("span", "claim-proposal-text", proposal.text);
        text.lang = proposal.language;
        const score = element("span", "candidate-score", " " + interpolate(gettext("score %(score)s"), { score: proposal.score.toFixed(2) }, true));
        score.title = interpolate(gettext("cosine %(cosine)s"), { cosine: proposal.cosine }, true) +
          (proposal.shared.length ? "; " + interpolate(gettext("shared %(shared)s"), { shared: proposal.shared.join(", ") }, true) : "");
        button.append(text, score);
        button.addEventListener("click", () => {
          chooseClaim({ id: proposal.claim, text: proposal.text });
          claimSearch.focus();
        });
        item.append(button);
        claimProposedList.append(item);
      });
      showProposedClaims();
    } catch (_error) {
      clearProposedClaims();
    }
  }

  function moveProposal(step) {
    const buttons = Array.from(claimProposedList.querySelectorAll("button"));
    const index = buttons.indexOf(document.activeElement);
    if (index + step < 0) claimSearch.focus();
    else if (buttons[index + step]) buttons[index + step].focus();
  }

  claimProposedList.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      moveProposal(event.key === "ArrowDown" ? 1 : -1);
    }
  });

  function closeClaimResults() {
    claimResults.replaceChildren();
    setHidden(claimResults, true);
    claimSearch.setAttribute("aria-expanded", "false");
    claimSearch.removeAttribute("aria-activedescendant");
  }

  let searchTimer = null;
  let searchSerial = 0;

  async function searchClaims() {
    const text = claimSearch.value.trim();
    setHidden(claimCreate, text.length < 3);
    claimCreate.textContent = text
      ? interpolate(gettext("Create claim “%(text)s”"), { text: text.slice(0, 40) + (text.length > 40 ? "…" : "") }, true)
      : gettext("Create claim");
    if (text.length < 2) {
      closeClaimResults();
      return;
    }
    const serial = ++searchSerial;
    try {
      const { response, data } = await callApi("GET", "claims/?search=" + encodeURIComponent(text));
      if (serial !== searchSerial || !response.ok) return;
      const results = Array.isArray(data) ? data : (data && data.results) || [];
      claimResults.replaceChildren();
      results.slice(0, 10).forEach((claim, position) => {
        const option = element("li", "", claim.text);
        option.id = "claim-option-" + position;
        option.setAttribute("role", "option");
        option.dataset.id = claim.id;
        option.addEventListener("mousedown", (event) => event.preventDefault());
        option.addEventListener("click", () => chooseClaim(claim));
        option.claim = claim;
        claimResults.append(option);
      });
      if (!results.length) claimResults.append(element("li", "meta", gettext("No matching claim. Create one below.")));
      setHidden(claimResults, false);
      claimSearch.setAttribute("aria-expanded", "true");
    } catch (_error) {
      closeClaimResults();
    }
  }

  function chooseClaim(claim) {
    setClaim({ id: claim.id, text: claim.text });
    claimSearch.value = "";
    setHidden(claimCreate, true);
    closeClaimResults();
    const slot = document.getElementById("error-claim");
    slot.textContent = "";
    setHidden(slot, true);
  }

  async function createClaim() {
    const text = claimSearch.value.trim();
    if (!text) return;
    claimCreate.disabled = true;
    try {
      const { response, data } = await callApi("POST", "claims/", { text: text, language: LANGUAGE });
      if (response.ok && data && data.id) {
        chooseClaim(data);
      } else {
        const errors = errorsFromResponse(response, data);
        const slot = document.getElementById("error-claim");
        slot.textContent = Object.values(errors).flat().join(" ");
        setHidden(slot, false);
      }
    } catch (_error) {
      const slot = document.getElementById("error-claim");
      slot.textContent = gettext("Could not reach the server to create the claim.");
      setHidden(slot, false);
    } finally {
      claimCreate.disabled = false;
    }
  }

  function moveClaimOption(step) {
    const options = Array.from(claimResults.querySelectorAll("[role='option']"));
    if (!options.length) return;
    let index = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
    options.forEach((o) => o.setAttribute("aria-selected", "false"));
    index = (index + step + options.length) % options.length;
    options[index].setAttribute("aria-selected", "true");
    claimSearch.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  }

  claimSearch.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(searchClaims, 200);
  });
  claimSearch.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && claimResults.hidden && !claimProposed.hidden) {
      event.preventDefault();
      moveProposal(1); // into the proposed claims
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      moveClaimOption(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      const active = claimResults.querySelector("[aria-selected='true']");
      if (active && active.claim) chooseClaim(active.claim);
      else if (claimSearch.value.trim().length >= 3) createClaim();
    } else if (event.key === "Escape" && !claimResults.hidden) {
      event.preventDefault();
      event.stopPropagation();
      closeClaimResults();
    }
  });
  claimCreate.addEventListener("click", createClaim);
  claimRemove.addEventListener("click", () => {
    setClaim(null);
    claimSearch.focus();
  });

  /* ---------- events ---------- */

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "flags") updateEvidenceHint();
  });
  form.elements.evidence.addEventListener("input", updateEvidenceHint);
  cancelButton.addEventListener("click", closeForm);
  withdrawButton.addEventListener("click", () => current && withdraw(current.annotation));

  /* A mouse selection may end outside the text (in the margin): look at the selection itself. */
  document.addEventListener("mouseup", (event) => {
    if (event.button !== 0 || form.contains(event.target)) return;
    const anchor = currentSelectionAnchor();
    if (anchor) {
      openForm(anchor, { focus: false });
      return;
    }
    const mark = textEl.contains(event.target) && event.target.closest("mark.hl");
    if (mark) showMarkDetails(mark);
  });

  function focusedPassage() {
    const active = document.activeElement;
    return active && active.closest ? passageOf(active) : null;
  }

  function movePassage(step) {
    const passages = Array.from(textEl.querySelectorAll(".passage"));
    const here = focusedPassage();
    let index = here ? passages.indexOf(here) + step : 0;
    index = Math.max(0, Math.min(passages.length - 1, index));
    if (passages[index]) passages[index].focus();
  }

  /* The span a shortcut acts on: the text selection, else the focused passage. */
  function targetAnchor() {
    const selected = currentSelectionAnchor();
    if (selected) return selected;
    const passage = focusedPassage();
    return passage ? anchorOfPassage(passage) : null;
  }

  /* ---------- keyboard selection ----------
   * In a focused passage, ←/→ move a caret by one character (grapheme cluster), Shift+←/→
   * extend the selection by one character and Ctrl+Shift+←/→ by one word (in CJK text, where
   * words are not spaced, by one character). The selection is the page's own (so it shows
   * as selected text), is announced to screen readers, and Enter opens the panel on it. */
  const wordSegmenter =
    typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "word" }) : null;
  const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
  let keySelection = null; // { passage, anchor, focus } in document code points
  let wordEdges = new Map(); // passage data-start → { starts, ends } of word-like segments

  const selectionStatus = document.createElement("p");
  selectionStatus.className = "visually-hidden";
  selectionStatus.id = "selection-status";
  selectionStatus.setAttribute("aria-live", "polite");
  reader.append(selectionStatus);

  function clustersOf(passage) {
    if (graphemes) return boundariesOf(passage);
    const list = [];
    for (let offset = Number(passage.dataset.start); offset <= Number(passage.dataset.end); offset++) list.push(offset);
    return list;
  }

  function wordsOf(passage) {
    let edges = wordEdges.get(passage.dataset.start);
    if (!edges) {
      edges = { starts: [], ends: [] };
      let offset = Number(passage.dataset.start);
      for (const part of wordSegmenter.segment(passage.textContent)) {
        const length = codePoints(part.segment);
        if (part.isWordLike) {
          edges.starts.push(offset);
          edges.ends.push(offset + length);
        }
        offset += length;
      }
      wordEdges.set(passage.dataset.start, edges);
    }
    return edges;
  }

  function isCjkAt(offset) {
    const char = body.chars[offset - body.base];
    return Boolean(char && CJK.test(char));
  }

  function stepFrom(passage, offset, direction, byWord) {
    const clusters = clustersOf(passage);
    const cluster =
      direction > 0 ? clusters.find((b) => b > offset) : clusters.slice().reverse().find((b) => b < offset);
    const byCluster = cluster === undefined ? offset : cluster;
    if (!byWord || !wordSegmenter || isCjkAt(direction > 0 ? offset : offset - 1)) return byCluster;
    const edges = wordsOf(passage);
    const word =
      direction > 0
        ? edges.ends.find((b) => b > offset)
        : edges.starts.slice().reverse().find((b) => b < offset);
    if (word === undefined) return direction > 0 ? Number(passage.dataset.end) : Number(passage.dataset.start);
    // A CJK run inside the jump stops the step at its first character.
    for (let probe = offset; direction > 0 ? probe < word : probe > word; probe += direction) {
      if (isCjkAt(direction > 0 ? probe : probe - 1) && probe !== offset) return probe;
    }
    return word;
  }

  function showKeySelection() {
    const { anchor, focus } = keySelection;
    const start = Math.min(anchor, focus);
    const end = Math.max(anchor, focus);
    const selection = window.getSelection();
    const range = rangeForAnchor({ start: start, end: end });
    selection.removeAllRanges();
    if (range) selection.addRange(range);
    if (start === end) {
      const next = bodySlice(start, stepFrom(keySelection.passage, start, 1, false));
      selectionStatus.textContent = next
        ? interpolate(gettext("Before “%(text)s”"), { text: next }, true)
        : gettext("At the end of the passage");
    } else {
      const text = bodySlice(start, end);
      const count = graphemes ? Array.from(graphemes.segment(text)).length : Array.from(text).length;
      selectionStatus.textContent =
        interpolate(
          ngettext(
            "Selected: %(text)s (%(count)s character). Enter to annotate.",
            "Selected: %(text)s (%(count)s characters). Enter to annotate.",
            count
          ),
          { text: text, count: count },
          true
        );
    }
  }

  function moveKeySelection(passage, event) {
    const direction = event.key === "ArrowRight" ? 1 : -1;
    if (!keySelection || keySelection.passage !== passage) {
      const edge = direction > 0 ? Number(passage.dataset.start) : Number(passage.dataset.end);
      keySelection = { passage: passage, anchor: edge, focus: edge };
    }
    const moved = stepFrom(passage, keySelection.focus, direction, event.ctrlKey || event.metaKey);
    keySelection.focus = moved;
    if (!event.shiftKey) keySelection.anchor = moved;
    showKeySelection();
  }

  textEl.addEventListener("focusout", (event) => {
    if (keySelection && event.target === keySelection.passage) keySelection = null;
  });

  document.addEventListener("keydown", (event) => {
    const typing = window.annotatorIsTyping && window.annotatorIsTyping(event.target);
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && current && !form.hidden) {
      event.preventDefault();
      save();
      return;
    }
    if (event.key === "Escape" && current && !form.hidden) {
      event.preventDefault();
      const span = current;
      closeForm();
      const passage = pointAt(span.start) && passageOf(pointAt(span.start).node);
      if (passage) passage.focus();
      return;
    }
    if (
      (event.key === "ArrowLeft" || event.key === "ArrowRight") &&
      !event.altKey &&
      event.target.classList &&
      event.target.classList.contains("passage")
    ) {
      event.preventDefault();
      moveKeySelection(event.target, event);
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const helpDialog = document.getElementById("help-dialog");
    if (helpDialog && helpDialog.open) return;

    if (/^[1-5]$/.test(event.key)) {
      event.preventDefault();
      if (form.hidden) {
        const anchor = targetAnchor();
        if (!anchor) return;
        openForm(anchor);
      }
      setRating(event.key);
    } else if (event.key === "f") {
      event.preventDefault();
      if (form.hidden) {
        const anchor = targetAnchor();
        if (!anchor) return;
        openForm(anchor, { focus: false });
      }
      form.querySelector("input[name='flags']").focus();
    } else if (event.key === "a") {
      const anchor = targetAnchor();
      if (anchor) {
        event.preventDefault();
        openForm(anchor);
      }
    } else if (event.key === "Enter" && event.target.classList && event.target.classList.contains("passage")) {
      event.preventDefault();
      const selected = currentSelectionAnchor();
      openForm(selected || anchorOfPassage(event.target));
    } else if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      movePassage(event.key === "j" ? 1 : -1);
    }
  });

  /* Arriving from the queue (/next/ → #p12): focus that passage. */
  function focusTarget() {
    const match = /^#p(\d+)$/.exec(window.location.hash);
    if (!match) return;
    const row = document.getElementById("p" + match[1]);
    const passage = row && row.querySelector(".passage");
    if (!passage) return;
    textEl.querySelectorAll(".passage.is-target").forEach((p) => p.classList.remove("is-target"));
    passage.classList.add("is-target");
    passage.focus({ preventScroll: true });
    row.scrollIntoView({ block: "center" });
  }

  /* Arriving from a claim page's proposal (#span=START-END&claim=ID): open the form on that
     span with the claim chosen, so the reviewer judges it and links it with one save. */
  async function openProposedSpan() {
    const match = /^#span=(\d+)-(\d+)(?:&claim=(\d+))?$/.exec(window.location.hash);
    if (!match) return;
    const anchor = { start: Number(match[1]), end: Number(match[2]) };
    anchor.exact = bodySlice(anchor.start, anchor.end);
    const range = anchor.exact && rangeForAnchor(anchor);
    if (!range) return;
    range.startContainer.parentElement.scrollIntoView({ block: "center" });
    openForm(anchor);
    if (!match[3]) return;
    const { response, data } = await callApi("GET", "claims/" + match[3] + "/");
    if (response.ok && data) setClaim({ id: data.id, text: data.text });
  }

  /* The document's annotation list: every annotation this reader may see (the page's own data,
     which the server built through the visibility policy), filtered by whose, flag, reviewer
     and the passage's consensus status; a click scrolls to the span and opens its details. */
  const index = document.getElementById("annotation-index");
  const INDEX_PAGE = 100;
  let indexShown = INDEX_PAGE;

  function indexFilters() {
    const filters = new FormData(document.getElementById("annotation-index-filters"));
    return {
      mine: filters.get("scope") === "mine",
      flag: filters.get("flag") || "",
      reviewer: filters.get("reviewer") || "",
      status: filters.get("status") || "",
    };
  }

  function passageStatus(annotation) {
    const passage = textEl.querySelector(".passage[data-passage='" + Number(annotation.passage) + "']");
    const row = passage && passage.closest(".passage-row");
    return (row && row.dataset.consensus) || "none";
  }

  function fillReviewerChoices() {
    const select = document.getElementById("index-reviewer");
    const chosen = select.value;
    const names = new Map();
    annotations.forEach((a) => names.set(String(a.reviewer.id), a.reviewer.username));
    select.querySelectorAll("option[value]:not([value=''])").forEach((o) => o.remove());
    Array.from(names.entries())
      .sort((x, y) => x[1].localeCompare(y[1]))
      .forEach(([id, name]) => {
        const option = element("option", "", name);
        option.value = id;
        select.append(option);
      });
    select.value = names.has(chosen) ? chosen : "";
  }

  function indexEntry(a) {
    const li = element("li", a.is_own ? "is-own" : "");
    const button = element("button", "index-entry");
    button.type = "button";
    button.dataset.annotation = a.id;
    const passage = textEl.querySelector(".passage[data-passage='" + Number(a.passage) + "']");
    const number = passage ? Number(passage.dataset.index) + 1 : "";
    button.append(element("span", "index-where", "§" + number));
    const quote = element("span", "index-quote", "“" + (a.exact.length > 60 ? a.exact.slice(0, 60) + "…" : a.exact) + "”");
    quote.lang = LANGUAGE;
    button.append(quote);
    const about = [a.is_own ? gettext("You") : a.reviewer.username];
    if (a.reliability) about.push(a.reliability + " · " + ratingLabel(a.reliability, a.reliability_label));
    if (a.flags && a.flags.length) about.push(a.flags.map((slug) => FLAG_LABELS[slug] || slug).join(", "));
    button.append(element("span", "index-about meta", about.join(" — ")));
    button.addEventListener("click", () => goToAnnotation(a));
    li.append(button);
    return li;
  }

  function renderIndex() {
    if (!index) return;
    document.getElementById("annotation-index-total").textContent = String(annotations.size);
    if (!index.open) return;
    fillReviewerChoices();
    const f = indexFilters();
    const matching = Array.from(annotations.values()).filter(
      (a) =>
        (!f.mine || a.is_own) &&
        (!f.flag || (a.flags || []).includes(f.flag)) &&
        (!f.reviewer || String(a.reviewer.id) === f.reviewer) &&
        (!f.status || passageStatus(a) === f.status)
    );
    const list = document.getElementById("annotation-index-list");
    list.replaceChildren(...matching.slice(0, indexShown).map(indexEntry));
    document.getElementById("annotation-index-summary").textContent = interpolate(
      ngettext("%(count)s annotation matches.", "%(count)s annotations match.", matching.length),
      { count: matching.length },
      true
    );
    setHidden(document.getElementById("annotation-index-more"), matching.length <= indexShown);
  }

  function goToAnnotation(a) {
    const mark = textEl.querySelector("mark.hl[data-ann~='" + Number(a.id) + "']");
    const target = mark || textEl.querySelector(".passage[data-passage='" + Number(a.passage) + "']");
    if (!target) return;
    target.scrollIntoView({ block: "center" });
    const passage = passageOf(target);
    if (passage) passage.focus({ preventScroll: true });
    showDetails([{ kind: "annotation", item: a }]);
  }

  if (index) {
    index.addEventListener("toggle", () => {
      indexShown = INDEX_PAGE;
      renderIndex();
    });
    document.getElementById("annotation-index-filters").addEventListener("change", () => {
      indexShown = INDEX_PAGE;
      renderIndex();
    });
    document.getElementById("annotation-index-more").addEventListener("click", () => {
      indexShown += INDEX_PAGE;
      renderIndex();
    });
  }

  loadData();
  renderIndex();
  focusTarget();
  openProposedSpan();
  // Chromium may reset focus when it finishes loading a page opened at a fragment.
  window.addEventListener("load", focusTarget, { once: true });
  window.addEventListener("hashchange", focusTarget);
})();
