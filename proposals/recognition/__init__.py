"""Year-end recognition: excellent proposals (优秀提案) and outstanding handling units
(先进承办单位), nominated and decided."""
