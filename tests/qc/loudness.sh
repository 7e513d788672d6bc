#!/bin/sh
# QC accuracy, audio: EBU Tech 3341 cases 1-6 (+/-0.1 LU), Tech 3342 cases
# 1-4 (+/-1 LU), true peak on inter-sample peaks (+0.2/-0.4 dB), and
# agreement with FFmpeg's ebur128 filter (0.1 LU, 0.2 dB) on the same
# files. Every signal is made here with ffmpeg's aevalsrc.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/qc/lib-qc.sh"

# A spec that measures and judges loudness only.
LSPEC="$T/loud.ini"
cat >"$LSPEC" <<'INI'
[spec]
name = loud-test
[loudness]
severity = fail
target = -23
tolerance = 0.1
[true_peak]
severity = warn
max = -1
[decode]
severity = fail
INI

# tone OUT LAYOUT EXPR-PER-CHANNEL DURATION: 1 kHz, 48 kHz, 24-bit WAV.
amp() { awk -v d="$1" 'BEGIN { printf "%.9f", exp(d / 20 * log(10)) }'; }
# seg "S1:DB1 S2:DB2 ...": an amplitude expression of t stepping through
# the levels (seconds:dBFS).
seg() {
    _e=""
    _t=0
    _close=""
    for s in $1; do
        _d=${s%%:*}
        _l=${s#*:}
        _t=$(awk -v a="$_t" -v b="$_d" 'BEGIN { print a + b }')
        _e="${_e}if(lt(t,$_t),$(amp "$_l"),"
        _close="$_close)"
    done
    echo "${_e}0${_close}*sin(2*PI*1000*t)"
}
total() { echo "$1" | tr ' ' '\n' | awk -F: '{ s += $1 } END { print s }'; }

stereo() {
    e=$(seg "$2")
    gen "$T/$1.wav" -f lavfi -i "aevalsrc='$e|$e':s=48000:d=$(total "$2")" \
        -c:a pcm_s24le
}

i_of() {
    report "$T/$1.wav" "$LSPEC"
    val measurements.loudness.integrated
}

# Tech 3341
stereo c1 "20:-23"
report "$T/c1.wav" "$LSPEC"
within "$(val measurements.loudness.integrated)" -23 0.1 "3341 case 1: I"
within "$(val measurements.loudness.max_momentary)" -23 0.1 "3341 case 1: M"
within "$(val measurements.loudness.max_short_term)" -23 0.1 "3341 case 1: S"
expect_rc 0 "3341 case 1 passes a -23 LUFS spec"
stereo c2 "20:-33"
report "$T/c2.wav" "$LSPEC"
within "$(val measurements.loudness.integrated)" -33 0.1 "3341 case 2: I"
within "$(val measurements.loudness.max_short_term)" -33 0.1 "3341 case 2: S"
expect_rc 1 "3341 case 2 fails a -23 LUFS spec"
has "$T/out" "gain +10.0 dB" "the remedy gives the gain"
stereo c3 "10:-36 60:-23 10:-36"
within "$(i_of c3)" -23 0.1 "3341 case 3: I"
stereo c4 "10:-72 10:-36 60:-23 10:-36 10:-72"
within "$(i_of c4)" -23 0.1 "3341 case 4: I"
stereo c5 "20:-26 20.1:-20 20:-26"
within "$(i_of c5)" -23 0.1 "3341 case 5: I"
# case 6: 5.0, L/R -28, C -24, Ls/Rs -30 dBFS
l=$(seg "20:-28")
c=$(seg "20:-24")
s=$(seg "20:-30")
gen "$T/c6.wav" -f lavfi -i "aevalsrc='$l|$l|$c|$s|$s':s=48000:d=20:c=5.0" \
    -c:a pcm_s24le
within "$(i_of c6)" -23 0.1 "3341 case 6 (5.0): I"

# The channel map: a stereo pair out of 8 mono tracks (tracks 3 and 4
# carry the programme at -23 dBFS, the others quiet), and a mono
# programme measured as dual mono.
a=$(amp -23)
gen "$T/tracks.mov" -f lavfi -i "aevalsrc='0.001*sin(2*PI*300*t)|0|$a*sin(2*PI*1000*t)|$a*sin(2*PI*1000*t)|0.3*sin(2*PI*440*t)|0|0|0.3*sin(2*PI*200*t)':s=48000:d=20:c=7.1" \
    -filter_complex "[0:a]channelsplit=channel_layout=7.1[a1][a2][a3][a4][a5][a6][a7][a8]" \
    -map "[a1]" -map "[a2]" -map "[a3]" -map "[a4]" -map "[a5]" -map "[a6]" \
    -map "[a7]" -map "[a8]" -c:a pcm_s24le
sed -e 's/^name = loud-test/name = pair/' -e '/^\[true_peak\]/i channels = 3,4\nlayout = stereo' "$LSPEC" >"$T/pair.ini"
report "$T/tracks.mov" "$T/pair.ini"
is "$(val measurements.audio.channels)" 8 "8 mono tracks are read as 8 channels"
within "$(val measurements.loudness.integrated)" -23 0.1 \
    "tracks 3 and 4 measured as the stereo pair"
expect_rc 0 "and they pass"
report "$T/tracks.mov" "$LSPEC"
expect_rc 1 "measured by the first track alone, the file fails"
gen "$T/mono.wav" -f lavfi -i "aevalsrc='$a*sin(2*PI*1000*t)':s=48000:d=20" \
    -c:a pcm_s24le
sed -e '/^\[true_peak\]/i channels = 1\nlayout = dual-mono' "$LSPEC" >"$T/dm.ini"
report "$T/mono.wav" "$T/dm.ini"
within "$(val measurements.loudness.integrated)" -23 0.1 \
    "a mono -23 dBFS tone measured as dual mono reads -23 LUFS"

# Tech 3342
lra_of() {
    stereo "$1" "$2"
    report "$T/$1.wav" "$LSPEC"
    val measurements.loudness.lra
}
within "$(lra_of l1 "20:-20 20:-30")" 10 1 "3342 case 1: LRA 10"
within "$(lra_of l2 "20:-20 20:-15")" 5 1 "3342 case 2: LRA 5"
within "$(lra_of l3 "20:-40 20:-20")" 20 1 "3342 case 3: LRA 20"
within "$(lra_of l4 "20:-50 20:-35 20:-20 20:-35 20:-50")" 15 1 \
    "3342 case 4: LRA 15"

# True peak: a 12 kHz sine at 48 kHz sampled 45 degrees off its peaks has
# samples 3 dB below its true peak. Short fades keep a step at either end
# from ringing above the sine's own peak.
gen "$T/tp.wav" -f lavfi -i "aevalsrc=0.5*sin(2*PI*12000*t+PI/4)|0.5*sin(2*PI*12000*t+PI/4):s=48000:d=5,afade=t=in:d=0.05,afade=t=out:st=4.95:d=0.05" -c:a pcm_f32le
report "$T/tp.wav" "$LSPEC"
between "$(val measurements.loudness.true_peak)" -6.42 -5.82 \
    "true peak of an inter-sample peak at -6.02 dBTP (+0.2/-0.4)"
between "$(val measurements.audio.sample_peak.0)" -9.2 -8.8 \
    "its sample peak is 3 dB lower"
gen "$T/tp2.wav" -f lavfi -i "aevalsrc=0.97*sin(2*PI*12000*t+PI/4)|0.1*sin(2*PI*1000*t):s=48000:d=5,afade=t=in:d=0.05,afade=t=out:st=4.95:d=0.05" -c:a pcm_f32le
report "$T/tp2.wav" "$LSPEC"
between "$(val measurements.loudness.true_peak)" -0.66 -0.06 \
    "an over at -0.26 dBTP: within +0.2/-0.4"
[ "$(findings true_peak | wc -l)" -eq 1 ]
ok $? "it is a true-peak finding against -1 dBTP"

# Agreement with FFmpeg's ebur128 filter on programme-like audio: pink
# noise whose level moves, stereo and 5.1.
ff() {
    ffmpeg -nostdin -hide_banner -nostats -i "$1" -af ebur128=peak=true \
        -f null - 2>&1 | awk '/Summary/ { s = 1 }
        s && $1 == "I:" { i = $2 } s && $1 == "Peak:" { p = $2 }
        END { print i, p }'
}
gen "$T/prog.wav" -f lavfi -i "anoisesrc=color=pink:sample_rate=48000:d=40:seed=7:a=0.3,volume='0.2+0.8*abs(sin(t/3))':eval=frame,aformat=channel_layouts=stereo" -c:a pcm_s24le
gen "$T/prog51.wav" -f lavfi -i "anoisesrc=color=pink:sample_rate=48000:d=30:seed=9:a=0.2,aformat=channel_layouts=5.1" -c:a pcm_s24le
for f in prog prog51; do
    set -- $(ff "$T/$f.wav")
    report "$T/$f.wav" "$LSPEC"
    within "$(val measurements.loudness.integrated)" "$1" 0.1 \
        "$f: integrated agrees with ffmpeg ebur128 ($1 LUFS)"
    within "$(val measurements.loudness.true_peak)" "$2" 0.2 \
        "$f: true peak agrees with ffmpeg ebur128 ($2 dBFS)"
done

finish
