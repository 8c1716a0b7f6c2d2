"""ITA data and measures: agencies, assessments, scores, measures, progress; edit and import."""
