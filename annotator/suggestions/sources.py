"""Words that name where a statement or a figure comes from (one list for every detector).

Matched case-insensitively against text folded to Simplified Chinese (``folding.fold``): a
publication, agency or broadcaster, a document (report, statement, press release, paper), a press
conference or interview, a citation mark or a URL.
"""

import regex

SOURCE = regex.compile(
    r"according to|\breport(?:ed|s)?\b|\bstatement\b|press (?:conference|release|briefing)"
    r"|news conference|\bbriefing\b|\binterview\b|\btranscript\b|\bpublished\b|\bjournal\b"
    r"|\bsources?\b|\bcited\b|\bquoted (?:by|in)\b|\bpaper\b|\bstudy\b|\bsurvey\b"
    r"|\bin (?:a|an|the|his|her|their) (?:note|letter|memo|speech|email|book|memoir|column|op-ed)"
    r"|\btold (?:the (?-i:[A-Z])|(?-i:Reuters|AP|AFP|CNN|BBC|NPR|Bloomberg|ABC|NBC|CBS)\b)"
    r"|https?://|www\.|\[\d+\]|【\d+】|\^\d+"
    r"|据|根据|报道|报导|引述|援引|新闻稿|声明|记者会|发布会|法说会|说明会|记者会|受访|采访|访问"
    r"|报告|公告|通报|资料显示|数据显示|调查显示|研究显示|统计|论文|期刊|来源[:：]|出处|引自|参见"
    r"|本报|本台|询问时|回复|官网|官方网站",
    regex.IGNORECASE,
)
