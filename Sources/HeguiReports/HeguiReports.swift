// HeguiReports produces the regulator-facing documents (IM-17, IM-19, OPS-4, OPS-5): the
// security-assessment report, the filing dossier, incident reports, statistics and the
// training-data register. Its contents arrive with the regulator issue; until then it is empty.
