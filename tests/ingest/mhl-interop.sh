#!/bin/sh
# mhl-interop: ASC MHL histories laid out as the reference implementation
# (ascmitc/mhl, ascmhl) writes them, written here by the test itself, are
# read and verified by mcr; and what mcr writes has the reference's layout.
#
# The layout follows the reference repository's own example histories and
# writer (read, not copied; the files below are this test's own text):
#  - examples/scenarios/Output/scenario_05/file_server/Reels/ascmhl/
#    0001_Reels_2020-01-17_143000Z.mhl: a parent history whose generation
#    has <directoryhash> entries for the card folders, a file of its own
#    and a <references> section with one <hashlistreference> (path, c4)
#    per nested card history;
#  - .../Reels/A003R2EC/ascmhl/0001_A003R2EC_2020-01-16_091500Z.mhl: a
#    card's history: <creatorinfo> (creationdate, hostname, tool with a
#    version attribute), <processinfo> (process, <roothash> with
#    <content>/<structure>, <ignore> patterns), then <hashes> with <hash>
#    (<path size lastmodificationdate>, then one element per hash format
#    with action and hashdate) and <directoryhash> entries in path order;
#  - ascmhl/hashlist_xml_parser.py and chain_xml_parser.py (the writer):
#    the XML declaration, 2-space indentation, dates as ISO 8601 with
#    +00:00, <ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2.0"> with one
#    <hashlist sequencenr="N"><path/><c4/></hashlist> per generation;
#  - ascmhl/history.py: generation files NNNN_<folder>_<date>_<time>Z.mhl
#    in <root>/ascmhl/, nested histories found in subfolders that hold an
#    ascmhl/ of their own, references resolved relative to the parent root.
# Directory hashes: mcr does not check them; the values written below are
# the reference example's own and say nothing about these files.
# C4 IDs (SMPTE ST 2114: SHA-512 as a base58 number, "c4" and 88 digits)
# are computed here with sha512sum and bc, independently of mcr's code.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
for tool in bc xxhsum xmllint sha512sum; do
    command -v $tool >/dev/null 2>&1 || skip_all "$tool is not installed"
done
daemon_setup
cp "$MCR_BUILDDIR/plugins/.libs/ingest.so" "$PLUGDIR/" || exit 99
chmod 644 "$PLUGDIR/ingest.so"
mkdir -p "$T/vol"
cat >>"$CFG" <<EOT
[volume vol]
path = $T/vol
[ingest]
scan = off
template = plain
template.plain = {reel}/{path}
EOT

# c4 FILE: its C4 ID.
c4() {
    h=$(sha512sum "$1" | cut -d' ' -f1 | tr 'a-f' 'A-F')
    printf 'ibase=16\nn=%s\nibase=A\nwhile (n > 0) { n %% 58; n = n / 58 }\n' "$h" |
        BC_LINE_LENGTH=0 bc |
        awk 'BEGIN { a = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz" }
             { d[NR] = substr(a, $1 + 1, 1) }
             END { s = ""; for (i = NR; i >= 1; i--) s = s d[i];
                   while (length(s) < 88) s = "1" s; print "c4" s }'
}
x64() { xxhsum -H1 "$1" | cut -d' ' -f1; }
x128() { xxhsum -H2 "$1" | cut -d' ' -f1; }
md5() { md5sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

is "$(printf '' >"$T/empty"; c4 "$T/empty")" \
    c459dsjfscH38cYeXXYogktxf4Cd9ibshE3BHUo6a58hBXmRQdZrAkZzsWcbWtDg5oQstpDuni4Hirj75GEmTc1sFT \
    "the test's own C4 of nothing is SMPTE ST 2114's"

R="$T/Reels"
mkdir -p "$R/A002R2EC/Clips" "$R/A003R2EC/Clips" "$R/A002R2EC/ascmhl" \
    "$R/A003R2EC/ascmhl" "$R/ascmhl"
head -c 300000 /dev/urandom >"$R/A002R2EC/Clips/A002C006_141024_R2EC.mov"
head -c 200000 /dev/urandom >"$R/A002R2EC/Clips/A002C007_141024_R2EC.mov"
echo "BLOCK 1 — slate notes, café" >"$R/A002R2EC/Sidecar.txt"
head -c 250000 /dev/urandom >"$R/A003R2EC/Clips/A003C011_141024_R2EC.mov"
echo "BLOCK 2" >"$R/A003R2EC/Sidecar.txt"
echo "Reels A002R2EC and A003R2EC, day 1" >"$R/Summary.txt"
touch -d "2020-01-15 13:00:00 UTC" "$R"/A002R2EC/Clips/* "$R/A002R2EC/Sidecar.txt"
touch -d "2020-01-15 13:30:00 UTC" "$R"/A003R2EC/Clips/* "$R/A003R2EC/Sidecar.txt"

# hash_entry PATH FILE FORMAT... : one <hash> element.
hash_entry() {
    p=$1 f=$2
    shift 2
    echo "    <hash>"
    echo "      <path size=\"$(size "$f")\" lastmodificationdate=\"$(date -u -r "$f" +%Y-%m-%dT%H:%M:%S+00:00)\">$p</path>"
    for fmt in "$@"; do
        case $fmt in
        xxh64) v=$(x64 "$f");; xxh128) v=$(x128 "$f");; md5) v=$(md5 "$f");; c4) v=$(c4 "$f");;
        sha256) v=$(sha256sum "$f" | cut -d' ' -f1);;
        esac
        echo "      <$fmt action=\"original\" hashdate=\"2020-01-16T09:15:00+00:00\">$v</$fmt>"
    done
    echo "    </hash>"
}
head_of() {	# creationdate process
    cat <<EOT
<?xml version="1.0" encoding="UTF-8"?>
<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">
  <creatorinfo>
    <creationdate>$1</creationdate>
    <hostname>myHost.local</hostname>
    <tool version="0.3 alpha">ascmhl.py</tool>
  </creatorinfo>
  <processinfo>
    <process>$2</process>
    <roothash>
      <content>
        <xxh64 hashdate="$1">7a82373c131cf40a</xxh64>
      </content>
      <structure>
        <xxh64 hashdate="$1">1131a950fcc55e4b</xxh64>
      </structure>
    </roothash>
    <ignore>
      <pattern>.DS_Store</pattern>
      <pattern>ascmhl</pattern>
      <pattern>ascmhl/</pattern>
    </ignore>
  </processinfo>
  <hashes>
EOT
}
dirhash() {	# path date
    cat <<EOT
    <directoryhash>
      <path lastmodificationdate="$2">$1</path>
      <content>
        <xxh64 hashdate="2020-01-16T09:15:00+00:00">f2afc6434255a53d</xxh64>
      </content>
      <structure>
        <xxh64 hashdate="2020-01-16T09:15:00+00:00">a25d5ca89c95f9e2</xxh64>
      </structure>
    </directoryhash>
EOT
}
chain() {	# folder gen-file...
    d=$1
    shift
    {
        echo '<?xml version="1.0" encoding="UTF-8"?>'
        echo '<ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2.0">'
        n=1
        for g in "$@"; do
            echo "  <hashlist sequencenr=\"$n\">"
            echo "    <path>$g</path>"
            echo "    <c4>$(c4 "$d/$g")</c4>"
            echo "  </hashlist>"
            n=$((n + 1))
        done
        echo '</ascmhldirectory>'
    } >"$d/ascmhl_chain.xml"
}

# Card A002R2EC: xxh64, as the reference example; two generations (the
# second a transfer that verified the first's hashes).
G1=0001_A002R2EC_2020-01-16_091500Z.mhl
G2=0002_A002R2EC_2020-01-17_143000Z.mhl
{
    head_of 2020-01-16T09:15:00+00:00 in-place
    hash_entry Clips/A002C006_141024_R2EC.mov "$R/A002R2EC/Clips/A002C006_141024_R2EC.mov" xxh64
    hash_entry Clips/A002C007_141024_R2EC.mov "$R/A002R2EC/Clips/A002C007_141024_R2EC.mov" xxh64
    dirhash Clips 2020-01-15T13:00:00+00:00
    hash_entry Sidecar.txt "$R/A002R2EC/Sidecar.txt" xxh64
    printf '  </hashes>\n</hashlist>\n'
} >"$R/A002R2EC/ascmhl/$G1"
{
    head_of 2020-01-17T14:30:00+00:00 transfer
    hash_entry Clips/A002C006_141024_R2EC.mov "$R/A002R2EC/Clips/A002C006_141024_R2EC.mov" xxh64
    hash_entry Clips/A002C007_141024_R2EC.mov "$R/A002R2EC/Clips/A002C007_141024_R2EC.mov" xxh64
    dirhash Clips 2020-01-15T13:00:00+00:00
    hash_entry Sidecar.txt "$R/A002R2EC/Sidecar.txt" xxh64
    printf '  </hashes>\n</hashlist>\n'
} | sed 's/action="original"/action="verified"/' >"$R/A002R2EC/ascmhl/$G2"
chain "$R/A002R2EC/ascmhl" $G1 $G2
# Card A003R2EC: xxh128 (the reference's default now) and md5; its
# sidecar with sha256 alone (a format later reference versions accept).
G3=0001_A003R2EC_2020-01-16_091500Z.mhl
{
    head_of 2020-01-16T09:15:00+00:00 in-place
    hash_entry Clips/A003C011_141024_R2EC.mov "$R/A003R2EC/Clips/A003C011_141024_R2EC.mov" xxh128 md5
    dirhash Clips 2020-01-15T13:30:00+00:00
    hash_entry Sidecar.txt "$R/A003R2EC/Sidecar.txt" sha256
    printf '  </hashes>\n</hashlist>\n'
} >"$R/A003R2EC/ascmhl/$G3"
chain "$R/A003R2EC/ascmhl" $G3
# The parent Reels: its own file (hashed as c4), the cards' folders as
# directory hashes, and references to the cards' latest generations.
GP=0001_Reels_2020-01-17_143000Z.mhl
{
    head_of 2020-01-17T14:30:00+00:00 in-place
    dirhash A002R2EC 2020-01-15T13:00:00+00:00
    dirhash A003R2EC 2020-01-15T13:30:00+00:00
    hash_entry Summary.txt "$R/Summary.txt" c4
    echo "  </hashes>"
    echo "  <references>"
    for ref in A002R2EC/ascmhl/$G2 A003R2EC/ascmhl/$G3; do
        echo "    <hashlistreference>"
        echo "      <path>$ref</path>"
        echo "      <c4>$(c4 "$R/$ref")</c4>"
        echo "    </hashlistreference>"
    done
    echo "  </references>"
    echo "</hashlist>"
} >"$R/ascmhl/$GP"
chain "$R/ascmhl" $GP
for f in "$R"/ascmhl/*.mhl "$R"/*/ascmhl/*.mhl "$R"/ascmhl/ascmhl_chain.xml; do
    xmllint --noout "$f" || exit 99
done

run mcr verify "$R"
expect_rc 0 "mcr verifies a reference-style history with nested card histories"
has "$T/out" "6 ok" "every file, the cards' through their own histories"
run mcr verify "$R/A003R2EC"
expect_rc 0 "and a card's history on its own (xxh128, md5, sha256)"

# A flipped byte in a card's clip.
cp "$R/A003R2EC/Clips/A003C011_141024_R2EC.mov" "$T/keep.mov"
flip_byte "$R/A003R2EC/Clips/A003C011_141024_R2EC.mov" 1000
cmp -s "$T/keep.mov" "$R/A003R2EC/Clips/A003C011_141024_R2EC.mov"
is $? 1 "the clip now differs from its original by one byte"
touch -d "2020-01-15 13:30:00 UTC" "$R/A003R2EC/Clips/A003C011_141024_R2EC.mov"
run mcr verify "$R"
expect_rc 1 "a tampered file fails mcr verify"
has "$T/out" "A003R2EC/Clips/A003C011_141024_R2EC.mov" "naming it by its path under the parent"
cp "$T/keep.mov" "$R/A003R2EC/Clips/A003C011_141024_R2EC.mov"
touch -d "2020-01-15 13:30:00 UTC" "$R/A003R2EC/Clips/A003C011_141024_R2EC.mov"

# A card generation edited after the fact, its chain left alone.
cp "$R/A002R2EC/ascmhl/$G1" "$T/keep.mhl"
sed -i 's/myHost.local/otherHost/' "$R/A002R2EC/ascmhl/$G1"
run mcr verify "$R"
expect_rc 1 "an altered nested generation fails mcr verify"
has "$T/err" "0001_A002R2EC_2020-01-16_091500Z.mhl of the ASC MHL history of $R/A002R2EC was altered" "naming it as altered"
cp "$T/keep.mhl" "$R/A002R2EC/ascmhl/$G1"
# A card generation replaced together with its chain: the parent's
# reference still catches it.
cp "$R/A002R2EC/ascmhl/$G2" "$T/keep2.mhl"
cp "$R/A002R2EC/ascmhl/ascmhl_chain.xml" "$T/keep2.xml"
sed -i 's/myHost.local/otherHost/' "$R/A002R2EC/ascmhl/$G2"
chain "$R/A002R2EC/ascmhl" $G1 $G2
run mcr verify "$R"
expect_rc 1 "a nested generation that no longer matches the parent's reference fails mcr verify"
has "$T/err" "is not the one generation 1 of the parent history references" "saying the parent's reference does not match"
cp "$T/keep2.mhl" "$R/A002R2EC/ascmhl/$G2"
cp "$T/keep2.xml" "$R/A002R2EC/ascmhl/ascmhl_chain.xml"

# mcr ingests the card folder as a source: checked against the nested
# histories, their ascmhl folders not filed as media.
run mcr ingest "$R" --client ACME --production Interop --to vol --wait
expect_rc 0 "an ingest of the reference-style folder checks it against its histories"
is "$(find "$T/vol/Reels" -path '*/ascmhl/*' ! -path "$T/vol/Reels/ascmhl/*" | wc -l)" 0 \
    "the nested histories are read, not filed as media"
is "$(sql "SELECT count(*) FROM media WHERE path LIKE '$T/vol/Reels/%'")" 6 "six files catalogued"

# What mcr wrote has the reference's layout.
gen=$(ls "$T/vol/Reels/ascmhl/" | grep '\.mhl$')
echo "$gen" | grep -Eq '^0001_Reels_[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{6}Z\.mhl$'
ok $? "mcr's generation is named NNNN_folder_YYYY-MM-DD_HHMMSSZ.mhl ($gen)"
g="$T/vol/Reels/ascmhl/$gen"
# xpath EXPR: on mcr's generation; E(name) is an element of the v2.0
# namespace (xmllint's XPath has no namespace declarations).
E() { echo "*[local-name()='$1' and namespace-uri()='urn:ASC:MHL:v2.0']"; }
xp() { xmllint --xpath "$1" "$g"; }
is "$(xp "string(/$(E hashlist)/@version)")" 2.0 "version 2.0 in urn:ASC:MHL:v2.0"
is "$(xp "concat(local-name(/*/*[1]), ' ', local-name(/*/*[2]), ' ', local-name(/*/*[3]), ' ', local-name(/*/*[1]/*[1]), ' ', local-name(/*/*[1]/*[2]), ' ', local-name(/*/*[1]/*[3]), ' ', local-name(/*/*[2]/*[1]))")" \
    "creatorinfo processinfo hashes creationdate hostname tool process" "its elements in the reference's order"
d=$(xp "string(/$(E hashlist)/$(E creatorinfo)/$(E creationdate))")
echo "$d" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+00:00$'
ok $? "dates as the reference writes them ($d)"
p="/$(E hashlist)/$(E hashes)/$(E hash)[$(E path)='A003R2EC/Clips/A003C011_141024_R2EC.mov']"
is "$(xp "concat(string($p/$(E path)/@size), ' ', string($p/$(E path)/@lastmodificationdate), ' ', string($p/$(E xxh128)), ' ', string($p/$(E xxh128)/@action))")" \
    "$(size "$T/keep.mov") 2020-01-15T13:30:00+00:00 $(x128 "$T/keep.mov") verified" \
    "a file's size, date and xxh128 (xxhsum's), marked verified against the source's history"
is "$(xmllint --xpath "string(//*[local-name()='hashlist'][@sequencenr='1']/*[local-name()='c4'])" "$T/vol/Reels/ascmhl/ascmhl_chain.xml")" \
    "$(c4 "$g")" "the chain names it with its C4 ID as computed here"
run mcr verify "$T/vol/Reels"
expect_rc 0 "mcr verifies its own copy"
finish
