"""Official documents (公文): Word files from the committee's templates, PDFs made from them, and
long documents built as background jobs."""
