#!/bin/sh
# cli-conform: `mcr conform` on EDLs written here against media generated
# here with timecode (the ffmpeg program makes the clips, ffprobe reads
# back what the catalogue row says): resolved by source file, clip name and
# reel; missing; out of range; ambiguous; copies; black; an audio-only
# event; a dissolve; an M2 speed change; a duration mismatch; a gap and an
# overlap; FCM against drop-frame media; a relink for moved media; the pull
# list with handles; the record in the shift log; bad input.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null ||
    skip_all "the ffmpeg and ffprobe programs are not installed"
daemon_setup
M="$T/media"
mkdir -p "$M/cam" "$M/copy" "$M/other" "$M/moved"

# clip FILE START_TC SECONDS [RATE]: a short clip with a timecode track.
clip() {
    ffmpeg -v error -y -f lavfi -i "testsrc=size=160x90:rate=${4:-25}" \
        -f lavfi -i "sine=f=1000:sample_rate=48000" -t "$3" \
        -timecode "$2" -c:v mpeg2video -c:a pcm_s16le "$1" || exit 99
}

probe() {
    ffprobe -v error -select_streams v:0 -show_entries "$2" \
        -of default=nw=1:nk=1 "$1"
}

# catalogue FILE REEL [CLIP]: the row ingest would write, from ffprobe.
catalogue() {
    f=$1
    tc=$(probe "$f" stream_tags=timecode)
    rate=$(probe "$f" stream=r_frame_rate)
    frames=$(probe "$f" stream=nb_frames)
    dur=$(probe "$f" stream=duration)
    case $tc in *";"*) df=1 ;; *) df=0 ;; esac
    size=$(stat -c %s "$f")
    hash=$(xxhsum -H2 "$f" 2>/dev/null | cut -d' ' -f1)
    [ -n "$hash" ] || hash=$(md5sum "$f" | cut -d' ' -f1)
    sql "INSERT INTO media (path, volume, name, size, catalogued, reel, clip,
        hashes, rate, duration, frames, tc_start, drop_frame)
        VALUES ('$f', 'prod', '$(basename "$f")', $size, 0, '$2',
        NULLIF('${3:-}', ''), json_object('xxh128', '$hash'), '$rate',
        $dur, $frames, '$tc', $df)"
}

clip "$M/cam/A001C003.mov" 10:00:00:00 10
clip "$M/cam/A001C004.mov" 10:05:00:00 10
clip "$M/cam/B002C001.mov" 14:00:00:00 4
clip "$M/moved/C003C001.mov" 16:00:00:00 4
clip "$M/cam/AMB1.mov" 12:00:00:00 4
clip "$M/other/AMB1.mov" 12:00:00:00 5
cp "$M/cam/A001C004.mov" "$M/copy/A001C004.mov"
clip "$M/cam/D004C001.mov" "01:00:00;00" 4 30000/1001

run mcr note "conform test: media catalogued by hand until ingest runs here"
expect_rc 0 "a shift log to catalogue into"
catalogue "$M/cam/A001C003.mov" A001
catalogue "$M/cam/A001C004.mov" A001
catalogue "$M/copy/A001C004.mov" A001
catalogue "$M/cam/B002C001.mov" B002
catalogue "$M/moved/C003C001.mov" C003
# C003C001 was catalogued where it used to be; it has moved since.
sql "UPDATE media SET path = '$T/old/C003C001.mov' WHERE name = 'C003C001.mov'"
catalogue "$M/cam/AMB1.mov" X1 AMBCLIP
catalogue "$M/other/AMB1.mov" X2 AMBCLIP
catalogue "$M/cam/D004C001.mov" D004
is "$(sql "SELECT count(*) FROM media")" 8 "eight files catalogued"
is "$(sql "SELECT tc_start || ' ' || frames || ' ' || rate FROM media WHERE name = 'A001C003.mov'")" \
    "10:00:00:00 250 25/1" "the generated media carries timecode"

cat >"$T/reel1.edl" <<'EDL'
TITLE: REEL 1 CONFORM TEST
FCM: NON-DROP FRAME

001  A001     V     C        10:00:01:00 10:00:03:00 01:00:00:00 01:00:02:00
* FROM CLIP NAME: A001C003
002  A001     AA/V  C        10:05:00:00 10:05:02:00 01:00:02:00 01:00:04:00
* SOURCE FILE: /ingest/day1/A001C004.mov
003  B002C001 V     C        14:00:03:00 14:00:06:00 01:00:04:00 01:00:07:00
004  ZZZ999   V     C        01:00:00:00 01:00:01:00 01:00:07:00 01:00:08:00
005  BL       V     C        00:00:00:00 00:00:01:00 01:00:09:00 01:00:10:00
006  A001C003 V     C        10:00:05:00 10:00:05:00 01:00:10:00 01:00:10:00
006  A001C004 V     D    012 10:05:03:00 10:05:04:00 01:00:10:00 01:00:11:00
007  A001C003 V     C        10:00:06:00 10:00:06:10 01:00:11:00 01:00:11:12
008  C003C001 V     C        16:00:01:00 16:00:02:00 01:00:11:12 01:00:12:12
009  A001C003 A     C        10:00:00:00 10:00:02:00 01:00:04:00 01:00:06:00
010  A001C004 V     C        10:05:05:00 10:05:06:00 01:00:12:12 01:00:14:12
M2   A001C004       012.5                10:05:05:00
011  AMBCLIP  V     C        12:00:01:00 12:00:02:00 01:00:14:00 01:00:15:00
EDL

run mcr conform "$T/reel1.edl" --rate 25 --json
expect_rc 1 "an EDL with missing and out-of-range events fails the check"
is "$(json verdict)" fail "verdict fail"
is "$(json summary.events)" 11 "eleven events"
is "$(json summary.clips)" 12 "twelve clip lines (a dissolve has two)"
is "$(json clips.0.status)" resolved "001 resolved"
is "$(json clips.0.matched_by)" "clip name" "by its clip name"
is "$(json clips.0.media.path)" "$M/cam/A001C003.mov" "to the right file"
is "$(json clips.0.media.in)" 10:00:01:00 "at the media's own timecode"
is "$(json clips.1.matched_by)" "source file" "002 by its source file"
is "$(json clips.1.channels)" "V A A2" "AA/V is picture and two audio tracks"
has "$T/out" "copies of the same content are catalogued" \
    "two copies of one content are not ambiguous"
is "$(json clips.2.status)" out_of_range "003 is out of range"
has "$T/out" "source 14:00:03:00-14:00:06:00 is not all in $M/cam/B002C001.mov, which holds 14:00:00:00-14:00:04:00" \
    "saying which frames the media holds"
is "$(json clips.3.status)" missing "004 is missing"
has "$T/out" "offline: nothing in the catalogue matches reel 'ZZZ999'" "saying what was looked for"
is "$(json clips.4.status)" black "005 is black, no media needed"
is "$(json clips.5.status)" resolved "006's outgoing clip resolves"
is "$(json clips.6.transition)" D "006's incoming clip is a dissolve"
is "$(json clips.6.status)" resolved "and resolves by reel"
is "$(json clips.7.status)" resolved "007 resolves"
has "$T/out" "record duration 12 frames but source duration 10 frames" \
    "but its durations disagree"
is "$(json clips.8.status)" missing "008's file has moved"
is "$(json clips.8.relink)" null "no relink without a media root"
is "$(json clips.9.channels)" A "009 is audio only"
is "$(json clips.9.status)" resolved "and resolves"
is "$(json clips.10.status)" resolved "010 with an M2 speed change resolves"
is "$(json length:clips.10.problems)" 0 "its half-speed source range agrees"
is "$(json clips.11.status)" ambiguous "011: two different files fit"
is "$(json summary.gaps)" 1 "one gap"
is "$(json tracks.0.track)" V "on the picture track"
is "$(json tracks.0.rec_in)" 01:00:08:00 "after event 004"
is "$(json tracks.0.frames)" 25 "of one second"
is "$(json summary.overlaps)" 1 "one overlap"
is "$(json tracks.1.rec_in)" 01:00:14:00 "where 011 starts inside 010"

run mcr conform "$T/reel1.edl" --rate 25 --json --media-root "$M"
is "$(json clips.8.relink)" "$M/moved/C003C001.mov" \
    "--media-root finds the moved file by name and size"
has "$T/out" "relink to it" "and suggests the relink"
is "$(json clips.8.status)" missing "while the event stays offline"
is "$(json clips.11.status)" ambiguous "both candidates are under the root"
run mcr conform "$T/reel1.edl" --rate 25 --json --media-root "$M/cam"
is "$(json clips.11.status)" resolved "a narrower root settles the ambiguity"

run mcr conform "$T/reel1.edl" --rate 25 --match reel --json
is "$(json clips.1.matched_by)" reel "--match reel ignores the source file"

# Text and HTML reports.
run mcr conform "$T/reel1.edl" --rate 25 --report "$T/report.html"
expect_rc 1 "the text report"
has "$T/out" "11 events, 12 clip lines: 7 resolved, 2 missing, 1 out of range, 1 ambiguous, 1 black" \
    "sums up the events"
has "$T/out" "verdict: FAIL" "and ends with the verdict"
has "$T/report.html" '<span class="verdict fail">FAIL</span>' "the HTML report leads with the verdict"
has "$T/report.html" "C003C001" "and lists the events"
[ ! -e "$T/report.html.part" ]
ok $? "and leaves no partial file"

# The check is in the shift log.
is "$(sql "SELECT count(*) FROM events WHERE kind = 'conform.check' AND severity = 'warning'")" 5 \
    "each check is recorded as an event"
rec=$(sql "SELECT json_extract(data, '\$.record') FROM events WHERE kind = 'conform.check' ORDER BY id DESC LIMIT 1")
is "$(sql "SELECT json_extract(data, '\$.summary.missing') FROM records WHERE id = $rec AND type = 'conform.report'")" 2 \
    "with the whole report kept as a record"
run mcr log verify
expect_rc 0 "the hash chain still verifies"

# The pull list: what the resolved events need, with handles.
run mcr conform "$T/reel1.edl" --rate 25 --pull-list --handles 5 --no-record
expect_rc 0 "a pull list"
has "$T/err" "leaves out 4 clip lines that did not resolve" "says what it leaves out"
has "$T/out" "path,name,reel,tc_in,tc_out,frames,rate,events" "as CSV"
has "$T/out" "$M/cam/A001C003.mov,A001C003.mov,A001,10:00:00:00,10:00:03:05,80,25,\"009,001\"" \
    "merging overlapping ranges, handles clipped at the first frame"
has "$T/out" "$M/cam/A001C003.mov,A001C003.mov,A001,10:00:04:20,10:00:05:17,22,25,006" \
    "the outgoing clip of a dissolve for its 12 frames"
run mcr conform "$T/reel1.edl" --rate 25 --pull-list -o "$T/pull.json" --no-record
is "$(json handles "$T/pull.json")" 0 "-o FILE.json writes it as JSON"
is "$(json files.0.tc_in "$T/pull.json")" 10:00:00:00 "with timecodes"

# Drop frame: FCM against the media's flag.
cat >"$T/df.edl" <<'EDL'
TITLE: DF
FCM: DROP FRAME
001  D004     V     C        01:00:01;00 01:00:02;00 01:00:00;00 01:00:01;00
FCM: NON-DROP FRAME
002  D004     V     C        01:00:02:00 01:00:03:00 01:00:01;00 01:00:02;00
EDL
run mcr conform "$T/df.edl" --json
expect_rc 0 "a DROP FRAME EDL implies 29.97df"
is "$(json clips.0.status)" resolved "drop-frame media resolves"
is "$(json length:clips.0.problems)" 0 "with a matching FCM"
has "$T/out" "FCM says NON-DROP FRAME but D004C001.mov has drop-frame timecode" \
    "an FCM that disagrees with the media is reported"

# The catalogue as ingest writes it: a card ingested by mcrd, then an EDL
# that uses it, resolved and out of range by what ingest probed.
cp "$MCR_BUILDDIR/plugins/.libs/ingest.so" "$PLUGDIR/" || exit 99
chmod 644 "$PLUGDIR/ingest.so"
mkdir -p "$T/prod" "$T/card/E005"
printf '[volume prod]\npath = %s\nrole = production\n[ingest]\nscan = off\n' \
    "$T/prod" >>"$CFG"
clip "$T/card/E005/E005C001.mov" 11:00:00:00 3
run mcr ingest "$T/card/E005" --client ACME --production Night --to prod --wait
expect_rc 0 "a card ingested by mcrd"
cat >"$T/e005.edl" <<'EDL'
TITLE: INGESTED
FCM: NON-DROP FRAME
001  E005     V     C        11:00:01:00 11:00:02:00 01:00:00:00 01:00:01:00
* FROM CLIP NAME: E005C001
002  E005     V     C        11:00:02:00 11:00:04:00 01:00:01:00 01:00:03:00
* FROM CLIP NAME: E005C001
EDL
run mcr conform "$T/e005.edl" --rate 25 --json --media-root "$T/prod"
expect_rc 1 "an EDL against ingested media"
is "$(json clips.0.status)" resolved "an event inside the ingested clip resolves"
case "$(json clips.0.media.path)" in
    "$T/prod/"*E005C001.mov) ok 0 "to the ingested copy";;
    *) ok 1 "to the ingested copy ($(json clips.0.media.path))";; esac
is "$(json clips.1.status)" out_of_range "one past its end is out of range"
has "$T/out" "which holds 11:00:00:00-11:00:03:00" "by the timecode ingest probed"

# Bad input.
run mcr conform "$T/reel1.edl"
expect_rc 2 "a NON-DROP EDL without --rate"
has "$T/err" "say the EDL's frame rate with --rate" "asks for the rate"
printf 'TITLE: X\n001  AX  V  C  10:00:00:00 10:00:0X:00 01:00:00:00 01:00:01:00\n' >"$T/bad.edl"
run mcr conform "$T/bad.edl" --rate 25
expect_rc 2 "a malformed EDL"
has "$T/err" "bad.edl:2:" "names the line"
run mcr conform "$T/nope.edl" --rate 25
expect_rc 2 "a missing EDL"
has "$T/err" "cannot open the EDL $T/nope.edl" "says so"
run mcr conform "$T/reel1.edl" --rate 26
expect_rc 2 "an unknown rate"
run mcr conform "$T/reel1.edl" --rate 25 --match reels
expect_rc 2 "a bad --match"
run mcr conform "$T/reel1.edl" --rate 25 --report /nonexistent/dir/r.html --no-record
expect_rc 2 "an unwritable report"
has "$T/err" "cannot write /nonexistent/dir/r.html" "names it"

finish
