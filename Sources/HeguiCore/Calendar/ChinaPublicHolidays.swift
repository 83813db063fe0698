/// Mainland China's public holidays and make-up working days (调休), year by year, as the State
/// Council's General Office publishes them each November or December. The operator adds later
/// years in the same format (`calendar.file`, or `hegui calendar` prints this text to start from).
///
/// Format, one item a line (`#` starts a comment):
///
///     year 2026 source 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）
///     2026-01-01..2026-01-03 holiday 元旦
///     2026-01-04 workday 元旦调休上班
///
/// A `year` line opens a year and names the notice it comes from; every date after it must lie
/// in that year. A year the data does not list is not guessed: asking about it is an error.
package enum ChinaPublicHolidays {
    /// The name dates and errors report for the built-in data.
    package static let fileName = "built-in calendar"

    /// The built-in years.
    package static let text = """
        year 2023 source 国务院办公厅关于2023年部分节假日安排的通知（国办发明电〔2022〕16号，2022年12月8日）
        2023-01-01..2023-01-02 holiday 元旦（2022年12月31日至2023年1月2日放假调休）
        2023-01-21..2023-01-27 holiday 春节
        2023-01-28 workday 春节调休上班
        2023-01-29 workday 春节调休上班
        2023-04-05 holiday 清明节
        2023-04-23 workday 劳动节调休上班
        2023-04-29..2023-05-03 holiday 劳动节
        2023-05-06 workday 劳动节调休上班
        2023-06-22..2023-06-24 holiday 端午节
        2023-06-25 workday 端午节调休上班
        2023-09-29..2023-10-06 holiday 中秋节、国庆节
        2023-10-07 workday 国庆节调休上班
        2023-10-08 workday 国庆节调休上班

        year 2024 source 国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号，2023年10月25日）
        2024-01-01 holiday 元旦
        2024-02-04 workday 春节调休上班
        2024-02-10..2024-02-17 holiday 春节
        2024-02-18 workday 春节调休上班
        2024-04-04..2024-04-06 holiday 清明节
        2024-04-07 workday 清明节调休上班
        2024-04-28 workday 劳动节调休上班
        2024-05-01..2024-05-05 holiday 劳动节
        2024-05-11 workday 劳动节调休上班
        2024-06-10 holiday 端午节
        2024-09-14 workday 中秋节调休上班
        2024-09-15..2024-09-17 holiday 中秋节
        2024-09-29 workday 国庆节调休上班
        2024-10-01..2024-10-07 holiday 国庆节
        2024-10-12 workday 国庆节调休上班

        year 2025 source 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）
        2025-01-01 holiday 元旦
        2025-01-26 workday 春节调休上班
        2025-01-28..2025-02-04 holiday 春节
        2025-02-08 workday 春节调休上班
        2025-04-04..2025-04-06 holiday 清明节
        2025-04-27 workday 劳动节调休上班
        2025-05-01..2025-05-05 holiday 劳动节
        2025-05-31..2025-06-02 holiday 端午节
        2025-09-28 workday 国庆节调休上班
        2025-10-01..2025-10-08 holiday 国庆节、中秋节
        2025-10-11 workday 国庆节调休上班

        year 2026 source 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）
        2026-01-01..2026-01-03 holiday 元旦
        2026-01-04 workday 元旦调休上班
        2026-02-14 workday 春节调休上班
        2026-02-15..2026-02-23 holiday 春节
        2026-02-28 workday 春节调休上班
        2026-04-04..2026-04-06 holiday 清明节
        2026-05-01..2026-05-05 holiday 劳动节
        2026-05-09 workday 劳动节调休上班
        2026-06-19..2026-06-21 holiday 端午节
        2026-09-20 workday 国庆节调休上班
        2026-09-25..2026-09-27 holiday 中秋节
        2026-10-01..2026-10-07 holiday 国庆节
        2026-10-10 workday 国庆节调休上班
        """
}
