#!/bin/sh
# Makes the small sample files the media tests label. Run from this directory with ffmpeg,
# ImageMagick, exiftool and python3 installed (Debian: ffmpeg imagemagick libimage-exiftool-perl);
# the output is committed, so the tests need none of these tools.
set -eu
q="-hide_banner -loglevel error -y"
convert -size 96x64 gradient:'#3060c0-#f0d020' sample.png
convert -size 96x64 gradient:'#3060c0-#f0d020' with-xmp.png
convert -size 48x48 gradient:green-white other.png
exiftool -q -overwrite_original -XMP-dc:Title='样例 sample' -XMP-dc:Creator=hegui with-xmp.png
convert -size 96x64 gradient:'#c03060-#20d0f0' -quality 85 sample.jpg
cp sample.jpg with-exif-xmp.jpg
exiftool -q -overwrite_original -Make=HeguiCam -Model=Test -UserComment='hello' -XMP-dc:Title='样例' with-exif-xmp.jpg
ffmpeg $q -f lavfi -i testsrc=size=64x48:rate=1 -frames:v 1 -c:v libwebp -lossless 0 sample-lossy.webp
ffmpeg $q -f lavfi -i testsrc=size=64x48:rate=1 -frames:v 1 -c:v libwebp -lossless 1 sample-lossless.webp
convert -size 40x30 gradient:red-blue -colors 16 sample.gif
ffmpeg $q -f lavfi -i sine=frequency=440:duration=0.5 -c:a libmp3lame -b:a 64k -metadata title='样例' sample.mp3
ffmpeg $q -f lavfi -i sine=frequency=440:duration=0.5 -ar 16000 -c:a pcm_s16le sample.wav
ffmpeg $q -f lavfi -i sine=frequency=440:duration=0.5 -c:a flac -metadata title='样例' sample.flac
ffmpeg $q -f lavfi -i testsrc=size=64x48:rate=10 -f lavfi -i sine=duration=1 -t 1 -c:v libx264 -pix_fmt yuv420p -c:a aac -b:a 32k -metadata title='样例' -movflags +faststart sample-faststart.mp4
ffmpeg $q -f lavfi -i testsrc=size=64x48:rate=10 -t 1 -c:v libx264 -pix_fmt yuv420p sample.mp4
ffmpeg $q -f lavfi -i testsrc=size=64x48:rate=10 -t 1 -c:v libx264 -pix_fmt yuv420p sample.mov
ffmpeg $q -f lavfi -i sine=duration=0.5 -c:a aac -b:a 32k sample.m4a
python3 - <<'PY'
def pdf(path, info, xref_stream):
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 18 Tf 20 50 Td (Sample \\(1\\)) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    if info:
        objects.append(b"<< /Title (Sample \\(PDF\\)) /Producer (hegui fixtures) >>")
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    size = len(objects) + 1
    extra = b" /Info %d 0 R" % len(objects) if info else b""
    if xref_stream:
        offsets.append(len(out))
        rows = b"\x00\x00\x00\x00\x00\xff\xff" + b"".join(b"\x01" + o.to_bytes(4, "big") + b"\x00\x00" for o in offsets)
        out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R%s /Length %d >>\nstream\n" % (size, size + 1, extra, len(rows))
        out += rows + b"\nendstream\nendobj\n"
        out += b"startxref\n%d\n%%%%EOF\n" % offsets[-1]
    else:
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f\r\n" % size
        out += b"".join(b"%010d 00000 n\r\n" % o for o in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (size, extra, xref)
    open(path, "wb").write(out)
pdf("sample.pdf", True, False)
pdf("sample-xref-stream.pdf", False, True)
PY
python3 - <<'PY'
import zipfile
parts = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>',
    "word/document.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>样例文档 sample document</w:t></w:r></w:p></w:body></w:document>',
    "docProps/core.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>样例</dc:title><dc:creator>hegui</dc:creator></cp:coreProperties>',
}
with zipfile.ZipFile("sample.docx", "w", zipfile.ZIP_DEFLATED) as archive:
    for name, text in parts.items():
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, text)
PY
printf -- '---\ntitle: 样例\ntags: [a, b]\n---\n# 样例 Sample\n\n正文。\n' > with-front-matter.md
printf -- '# 样例 Sample\n\n正文。\n' > sample.md
# Files that already carry an older AIGC record, as other tools write it.
old='{"Label":"2","ContentProducer":"001191110102MAD55U9H0F10001","ProduceID":"old-1","ReservedCode1":"","ContentPropagator":"001191110102MAD55U9H0F10001","PropagateID":"old-1","ReservedCode2":""}'
cp sample.jpg with-exif-record.jpg
exiftool -q -overwrite_original -UserComment="{\"AIGC\":$old}" -Make=HeguiCam with-exif-record.jpg
ffmpeg $q -f lavfi -i testsrc=size=64x48:rate=10 -t 1 -c:v libx264 -pix_fmt yuv420p -metadata title='样例' -metadata AIGC="$old" -movflags use_metadata_tags+faststart with-record.mp4
ffmpeg $q -f lavfi -i sine=frequency=440:duration=0.5 -c:a libmp3lame -b:a 64k -metadata title='样例' -metadata AIGC="$old" with-record.mp3
ffmpeg $q -f lavfi -i sine=frequency=440:duration=0.5 -c:a flac -metadata AIGC="$old" with-record.flac
# Plain images for the visible mark's 5% rule, measured on the output pixels.
convert -size 400x800 xc:'#808080' -depth 8 -type Grayscale portrait-gray.png
convert -size 900x500 xc:'#808080' -depth 8 PNG24:landscape-rgb.png
convert -size 600x400 xc:'rgba(128,128,128,0.5)' -depth 8 PNG32:rgba.png
ffmpeg $q -f lavfi -i testsrc2=size=480x360:rate=1 -frames:v 1 testsrc.png
# Baseline JPEGs for the visible mark: 4:2:0 colour, greyscale, and one with restart markers.
convert testsrc.png -quality 90 -sampling-factor 2x2 colour-420.jpg
convert portrait-gray.png -quality 90 portrait-gray.jpg
convert testsrc.png -quality 85 -sampling-factor 1x1 jpg:- | jpegtran -restart 3 -outfile restart.jpg  # libjpeg-turbo-progs
# Multi-scan JPEGs: progressive 4:2:0 and greyscale, progressive with restart intervals, and a
# sequential file with one scan per component.
convert testsrc.png -quality 90 -sampling-factor 2x2 -interlace Plane progressive-420.jpg
convert portrait-gray.png -quality 90 -interlace Plane progressive-gray.jpg
jpegtran -progressive -restart 2 -outfile progressive-restart.jpg colour-420.jpg
printf '0;\n1;\n2;\n' > separate.scans
jpegtran -scans separate.scans -outfile separate-scans.jpg restart.jpg
rm separate.scans
# An XLSX that already has custom properties, and a small PPTX.
python3 - <<'PY'
import zipfile
ct = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>%s</Types>'
rels = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s</Relationships>'
def write(path, parts):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
write("with-custom.xlsx", {
    "[Content_Types].xml": ct % ('<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'),
    "_rels/.rels": rels % ('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'),
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="样例" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": rels % '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>',
    "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>样例</t></is></c></row></sheetData></worksheet>',
    "docProps/custom.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Department"><vt:lpwstr>合规部</vt:lpwstr></property></Properties>',
})
write("sample.pptx", {
    "[Content_Types].xml": ct % '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>',
    "_rels/.rels": rels % '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="ppt/presentation.xml"/>',
    "ppt/presentation.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
})
PY
ffmpeg $q -f lavfi -i testsrc2=size=320x240:rate=1 -vf noise=alls=40:allf=t -frames:v 1 grain.png  # many deflate blocks: every splice of the PNG mark
