#!/bin/sh
# cli-tc: `mcr tc` as an operator types it: the three examples of issue
# 10, negative counts and '-' that the option parser must leave alone,
# --to by time and by label, --json, and bad input refused with one
# sentence and exit 2. No shift log is opened.
. "$TESTS_SRCDIR/lib.sh"

# tc WANT DESCRIPTION ARGS...: mcr tc ARGS exits 0 and prints WANT.
tc() {
    _want=$1 _desc=$2
    shift 2
    run "$MCR" tc "$@"
    expect_rc 0 "$_desc"
    is "$(cat "$T/out")" "$_want" "$_desc: prints $_want"
}

# error DESCRIPTION TEXT ARGS...: exit 2, one line of stderr with TEXT.
error() {
    _desc=$1 _text=$2
    shift 2
    run "$MCR" tc "$@"
    expect_rc 2 "$_desc"
    has "$T/err" "$_text" "$_desc: says what"
    one_line "$T/err" "$_desc: in one line"
    is "$(cat "$T/out")" "" "$_desc: nothing on stdout"
}

tc 107892 "a drop-frame timecode is a frame count" '01:00:00;00' --rate 29.97df
tc '00:10:00;00' "a frame count is a timecode" 17982 --rate 29.97df
tc 10:00:30:00 "addition" 10:00:00:00 + 00:00:30:00 --rate 25
tc '00:01:00;02' "frame 1800 at 29.97df" --rate 29.97df 1800
tc 900000 "25 fps 10:00:00:00" --rate=25 10:00:00:00
tc '00:00:59;58' "59.94df skips four labels" 3598 --rate 59.94df
tc '00:01:00;04' "59.94df: the first label of minute 1" 3600 --rate 59.94df

# Operators and negative numbers reach the expression, wherever the
# options are.
tc 09:59:30:00 "subtraction" 10:00:00:00 - 00:00:30:00 --rate 25
tc 23:59:59:24 "a negative count wraps back" -1 --rate 25
tc 23:59:59:00 "subtracting past midnight wraps" --rate 25 00:00:01:00 - 00:00:02:00
tc 00:00:00:10 "a negative operand" --rate 25 00:00:01:00 + -15
tc 00:00:01:05 "frames and timecode mix" 00:00:01:00 + 5 --rate 25
tc 00:00:00:00 "the end of the day plus one" 23:59:59:24 + 1 --rate 25
tc 00:00:02:00 "options between operands" 00:00:01:00 --rate 25 + 00:00:01:00
tc 23:59:59:20 "a negative count after --" --rate 25 -- -5
tc 1800 "':' at a drop rate is read at the rate" 00:01:00:02 --rate 29.97df
tc '00:01:00;02' "one frame after 00:00:59;29 is 00:01:00;02" \
    --rate 29.97df '00:00:59;29' + 1

# --to: by real time, a timecode stays a timecode and a count a count.
tc '10:00:00;01' "--to by time" 10:00:00:00 --rate 25 --to 29.97df
tc 09:59:24:01 "--to non-drop drifts from the clock" 10:00:00:00 --rate 25 \
    --to 29.97
tc 90000 "--to keeps a frame count a count" 107892 --rate 29.97df --to 25
tc 01:00:00:00 "--same-label keeps the label" '01:00:00;00' --rate 29.97df \
    --to 29.97ndf --same-label
tc 01:00:00:00 "--to after arithmetic" --rate 25 00:59:59:00 + 25 --to 24

run "$MCR" tc '00:10:00;00' --rate 29.97df --json
expect_rc 0 "--json"
is "$(json rate)" 29.97df "--json: rate"
is "$(json drop_frame)" true "--json: drop_frame"
is "$(json frames)" 17982 "--json: frames"
is "$(json timecode)" '00:10:00;00' "--json: timecode"
is "$(json from)" null "--json: no conversion, from is null"
is "$(json conversion)" null "--json: conversion is null"

run "$MCR" tc 10:00:00:00 + 00:00:30:00 --rate 25 --to 29.97df --json
expect_rc 0 "--json with arithmetic and --to"
is "$(json rate)" 29.97df "--json --to: the rate is the target"
is "$(json frames)" 1079820 "--json --to: frames at the target"
is "$(json timecode)" '10:00:30;00' "--json --to: timecode at the target"
is "$(json from.rate)" 25 "--json --to: from.rate"
is "$(json from.frames)" 900750 "--json --to: from.frames"
is "$(json from.timecode)" 10:00:30:00 "--json --to: from.timecode"
is "$(json conversion)" time "--json --to: conversion is by time"

run "$MCR" tc --help
expect_rc 0 "--help"
has "$T/out" "--rate RATE" "--help describes --rate"
run "$MCR" --help
has "$T/out" "timecode arithmetic and conversion" "mcr --help lists tc"

error "a label drop-frame skips" "timecode 00:01:00;00 does not exist at 29.97df" \
    '00:01:00;00' --rate 29.97df
error "a label 59.94df skips" "00:01:00;03 does not exist at 59.94df" \
    '00:01:00;03' --rate 59.94df
error "frame 25 at 25 fps" "frames run 00 to 24" 00:00:00:25 --rate 25
error "hour 24" "hours run 00 to 23" 24:00:00:00 --rate 25
error "a rate that does not exist" "'29.9' is not a timecode rate" \
    00:00:00:00 --rate 29.9
error "a bad --to" "59.94df, 59.94 (non-drop) and 60" 0 --rate 25 --to 48
error "garbage" "'banana' is not a timecode" banana --rate 25
error "no rate" "give the frame rate with --rate" 00:00:00:00
error "no value" "give a timecode or a frame count" --rate 25
error "a trailing operator" "'+' at the end needs" 00:00:00:00 + --rate 25
error "two values in a row" "expected '+' or '-' between '1' and '2'" \
    1 2 --rate 25
error "an operator first" "expected a timecode or a frame count before" \
    - 1 --rate 25
error "--same-label alone" "--same-label goes with --to" 1 --rate 25 \
    --same-label
error "--same-label across label rates" "convert by time instead" \
    1 --rate 25 --to 24 --same-label
error "--same-label onto a skipped label" "00:01:00;00 does not exist" \
    00:01:00:00 --rate 29.97 --to 29.97df --same-label
error "an unknown option" "'--frobnicate' is not an option" 1 --rate 25 \
    --frobnicate
error "a huge count" "out of range" 99999999999999999999 --rate 25

[ ! -e "$XDG_STATE_HOME/mcr" ]
ok $? "no shift log was created"

finish
