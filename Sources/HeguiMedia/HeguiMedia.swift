// HeguiMedia reads and writes content labels inside files (GB 45438-2025, LBL-4, LBL-5): PNG, JPEG,
// WebP, GIF, MP3, WAV, MP4/MOV/M4A, FLAC, PDF, DOCX, Markdown. It depends on HeguiCore only.
// Its contents arrive with the labeling issue; until then the module is empty.
