"""Per-language labels and descriptions for the flag taxonomy (filled in for the seed flags;
moderators edit them in the admin), each user's interface language, and the models' names as
the admin shows them (translated)."""

from django.db import migrations, models

# slug -> (label 繁體中文, description 繁體中文, label 简体中文, description 简体中文).
# Empty fields only: a translation a moderator has
# already written is kept.
SEED_TRANSLATIONS = {
    "unsupported-claim": (
        "無根據的說法",
        "以事實口吻提出、卻未註明任何來源的說法。",
        "无根据的说法",
        "以事实口吻提出、却未注明任何来源的说法。",
    ),
    "misattributed-quote": (
        "張冠李戴或無出處的引文",
        "引文歸於某人卻無可查證的出處，或歸錯了人。",
        "张冠李戴或无出处的引文",
        "引文归于某人却无可查证的出处，或归错了人。",
    ),
    "factual-error": (
        "事實錯誤",
        "與可靠來源相矛盾的陳述。",
        "事实错误",
        "与可靠来源相矛盾的陈述。",
    ),
    "anachronism": (
        "時代錯置",
        "日期、人名或事件被放到了錯誤的時代。",
        "时代错置",
        "日期、人名或事件被放到了错误的时代。",
    ),
    "redacted-name": (
        "遮蔽的人名",
        "文中以 ** 或 *** 遮蓋的名字。",
        "被遮蔽的人名",
        "文中以 ** 或 *** 遮盖的名字。",
    ),
    "unsourced-number": (
        "無出處的數字",
        "未註明來源的精確數字。",
        "无出处的数字",
        "未注明来源的精确数字。",
    ),
    "loaded-language": (
        "帶有傾向的措辭",
        "意在說服而非告知的用語。",
        "带有倾向的措辞",
        "意在说服而非告知的用语。",
    ),
    "content-farm": (
        "內容農場",
        "來源不明的複製或抓取文字。",
        "内容农场",
        "来源不明的复制或抓取文字。",
    ),
    "machine-translation": (
        "機器翻譯",
        "扭曲原意的生硬譯文。",
        "机器翻译",
        "扭曲原意的生硬译文。",
    ),
}


def fill_seed_translations(apps, schema_editor):
    FlagType = apps.get_model("annotator", "FlagType")
    for flag in FlagType.objects.filter(slug__in=SEED_TRANSLATIONS):
        label_hant, description_hant, label_hans, description_hans = SEED_TRANSLATIONS[flag.slug]
        flag.label_zh_hant = flag.label_zh_hant or label_hant
        flag.description_zh_hant = flag.description_zh_hant or description_hant
        flag.label_zh_hans = flag.label_zh_hans or label_hans
        flag.description_zh_hans = flag.description_zh_hans or description_hans
        flag.save(
            update_fields=[
                "label_zh_hant",
                "description_zh_hant",
                "label_zh_hans",
                "description_zh_hans",
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0012_campaigns_assignment_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="flagtype",
            name="description_zh_hans",
            field=models.TextField(blank=True, verbose_name="description (简体中文)"),
        ),
        migrations.AddField(
            model_name="flagtype",
            name="description_zh_hant",
            field=models.TextField(blank=True, verbose_name="description (繁體中文)"),
        ),
        migrations.AddField(
            model_name="flagtype",
            name="label_zh_hans",
            field=models.CharField(blank=True, max_length=100, verbose_name="label (简体中文)"),
        ),
        migrations.AddField(
            model_name="flagtype",
            name="label_zh_hant",
            field=models.CharField(blank=True, max_length=100, verbose_name="label (繁體中文)"),
        ),
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("en", "English"), ("zh-hant", "繁體中文"), ("zh-hans", "简体中文")],
                max_length=16,
                verbose_name="language",
            ),
        ),
        migrations.AlterField(
            model_name="preference",
            name="email",
            field=models.CharField(
                choices=[
                    ("immediate", "Each notification by email"),
                    ("daily", "A daily digest"),
                    ("off", "No email"),
                ],
                default="immediate",
                max_length=16,
                verbose_name="email",
            ),
        ),
        migrations.AlterModelOptions(
            name="annotation",
            options={
                "ordering": ["id"],
                "verbose_name": "annotation",
                "verbose_name_plural": "annotations",
            },
        ),
        migrations.AlterModelOptions(
            name="annotationrevision",
            options={
                "ordering": ["annotation_id", "version", "id"],
                "verbose_name": "annotation revision",
                "verbose_name_plural": "annotation revisions",
            },
        ),
        migrations.AlterModelOptions(
            name="apitoken",
            options={
                "ordering": ["-created_at"],
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
            },
        ),
        migrations.AlterModelOptions(
            name="assignment",
            options={
                "ordering": ["id"],
                "verbose_name": "assignment",
                "verbose_name_plural": "assignments",
            },
        ),
        migrations.AlterModelOptions(
            name="campaign",
            options={
                "ordering": ["-id"],
                "verbose_name": "campaign",
                "verbose_name_plural": "campaigns",
            },
        ),
        migrations.AlterModelOptions(
            name="claim",
            options={"ordering": ["id"], "verbose_name": "claim", "verbose_name_plural": "claims"},
        ),
        migrations.AlterModelOptions(
            name="consensus",
            options={
                "ordering": ["id"],
                "verbose_name": "consensus",
                "verbose_name_plural": "consensus",
            },
        ),
        migrations.AlterModelOptions(
            name="document",
            options={
                "ordering": ["id"],
                "verbose_name": "document",
                "verbose_name_plural": "documents",
            },
        ),
        migrations.AlterModelOptions(
            name="factcheck",
            options={
                "ordering": ["-published_at", "-pk"],
                "verbose_name": "fact check",
                "verbose_name_plural": "fact checks",
            },
        ),
        migrations.AlterModelOptions(
            name="flagtype",
            options={
                "ordering": ["sort_order", "slug"],
                "verbose_name": "flag type",
                "verbose_name_plural": "flag types",
            },
        ),
        migrations.AlterModelOptions(
            name="moderationaction",
            options={
                "ordering": ["-created_at", "-id"],
                "verbose_name": "moderation action",
                "verbose_name_plural": "moderation actions",
            },
        ),
        migrations.AlterModelOptions(
            name="passage",
            options={
                "ordering": ["document_id", "index"],
                "verbose_name": "passage",
                "verbose_name_plural": "passages",
            },
        ),
        migrations.AlterModelOptions(
            name="source",
            options={
                "ordering": ["name"],
                "verbose_name": "source",
                "verbose_name_plural": "sources",
            },
        ),
        migrations.AlterModelOptions(
            name="suggestion",
            options={
                "ordering": ["document_id", "start", "end", "id"],
                "verbose_name": "suggestion",
                "verbose_name_plural": "suggestions",
            },
        ),
        migrations.AlterModelOptions(
            name="suggestiondecision",
            options={
                "verbose_name": "suggestion decision",
                "verbose_name_plural": "suggestion decisions",
            },
        ),
        migrations.AlterModelOptions(
            name="webhookdelivery",
            options={
                "ordering": ["-id"],
                "verbose_name": "webhook delivery",
                "verbose_name_plural": "webhook deliveries",
            },
        ),
        migrations.AlterModelOptions(
            name="webhookendpoint",
            options={
                "ordering": ["id"],
                "verbose_name": "webhook endpoint",
                "verbose_name_plural": "webhook endpoints",
            },
        ),
        migrations.RunPython(fill_seed_translations, migrations.RunPython.noop),
    ]
