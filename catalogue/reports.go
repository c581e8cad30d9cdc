package catalogue

// The investor report's comparison.
const IDMonthOverMonth = "month-over-month-growth"

func init() {
	declare(&Metric{ID: IDMonthOverMonth, Section: SectionReports, Name: "Month-over-month growth (investor report)",
		Definition: "In the monthly investor report, each figure of a calendar month is compared with the same figure of the previous calendar month (October against September, never against \"30 days ago\"). When the previous month's figure is zero there is no meaningful growth rate, and the report says n/a instead of dividing by zero. A published report freezes its figures: later corrections to the data appear only in a new, visibly marked version.",
		Formula:    "growth = (this month − previous calendar month) ÷ previous calendar month; n/a when the previous month is 0",
		Source:     "the same metrics as the executive dashboard, frozen into investor_reports.figures when published"})
}
