"""Official documents: kinds, Word and PDF files, background exports."""
