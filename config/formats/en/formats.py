"""English dates as the pages always wrote them (ISO 8601); Chinese uses Django's own formats
(2024年1月28日). Templates name the format (``|date:"DATE_FORMAT"``), never a pattern."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
