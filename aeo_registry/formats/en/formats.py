"""English dates as ISO 8601 (2021-08-31): the registry's readers compare dates across sources, and
every English page has always shown them so. Chinese pages use Django's zh_Hans formats
(2021年8月31日, 2021年8月)."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
YEAR_MONTH_FORMAT = "Y-m"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
