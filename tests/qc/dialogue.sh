#!/bin/sh
# QC, dialogue-gated loudness (the Netflix-like spec): mcr's own speech
# gate (telephone-band share and 2-8 Hz syllabic modulation; not Dolby
# Dialogue Intelligence). A speech-like signal (pink noise through a
# formant band, opened and closed at a syllable rate with pauses) with a
# quiet bed, cut with loud steady chords: the dialogue-gated figure
# follows the speech (it matches the speech passages measured alone, and
# moves 6 dB when only the speech does) and not the music; a programme of
# chords alone has no speech, and the check says it measured the whole
# programme instead.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/qc/lib-qc.sh"

SPEECH="anoisesrc=color=pink:sample_rate=48000:a=0.5:seed=3,bandpass=f=900:width_type=h:w=1400,aeval='val(0)*max(0\,sin(2*PI*3.7*t))*(0.6+0.4*sin(2*PI*0.45*t))*gt(sin(2*PI*0.23*t)\,-0.7)'"
CHORD="sine=f=220:sample_rate=48000,volume=0.5[m1];sine=f=330:sample_rate=48000,volume=0.4[m2];sine=f=440:sample_rate=48000,volume=0.3[m3];sine=f=660:sample_rate=48000,volume=0.2[m4];[m1][m2][m3][m4]amix=inputs=4:normalize=0"

# programme OUT GAIN: speech (GAIN) on a quiet bed 0-20 s and 40-60 s,
# loud chords 20-40 s.
programme() {
    gen "$1" -filter_complex "$SPEECH,volume=$2,atrim=duration=20,asplit=2[s1][s2];$CHORD,atrim=duration=60,asplit=3[ma][mb][mc];[ma]atrim=0:20,volume=0.03[b1];[mb]atrim=20:40,asetpts=PTS-STARTPTS,volume=0.7[loud];[mc]atrim=40:60,asetpts=PTS-STARTPTS,volume=0.03[b2];[s1][b1]amix=inputs=2:normalize=0[p1];[s2][b2]amix=inputs=2:normalize=0[p3];[p1][loud][p3]concat=n=3:v=0:a=1,aformat=channel_layouts=stereo" \
        -c:a pcm_s24le
}
programme "$T/dlg.wav" 1
# the speech passages alone, measured as a programme
gen "$T/talk.wav" -filter_complex "$SPEECH,atrim=duration=20,asplit=2[s1][s2];$CHORD,atrim=duration=60,asplit=2[ma][mc];[ma]atrim=0:20,volume=0.03[b1];[mc]atrim=40:60,asetpts=PTS-STARTPTS,volume=0.03[b2];[s1][b1]amix=inputs=2:normalize=0[p1];[s2][b2]amix=inputs=2:normalize=0[p3];[p1][p3]concat=n=2:v=0:a=1,aformat=channel_layouts=stereo" \
    -c:a pcm_s24le
report "$T/talk.wav" streaming
talk=$(json measurements.loudness.integrated)
report "$T/dlg.wav" streaming
dlg=$(json measurements.loudness.dialogue)
prog=$(json measurements.loudness.integrated)
is "$(json measurements.loudness.gating)" dialogue "the streaming spec gates on dialogue"
within "$dlg" "$talk" 1 "dialogue-gated loudness ($dlg) is the speech passages' ($talk)"
awk -v p="$prog" -v d="$dlg" 'BEGIN { exit !(p - d > 6) }'
ok $? "not the programme's, which the chords make louder ($prog)"
between "$(json measurements.loudness.speech_share)" 10 60 \
    "the speech share of the programme is reported"
has "$T/out" "not Dolby Dialogue Intelligence" "the report names the method"
set -- $(findings loudness)
is "${3:-}" fail "-37 LUFS of dialogue fails -27 +/-2"
has "$T/out" "Dialogue-gated loudness is" "and says it is dialogue-gated"

programme "$T/dlg6.wav" 2
report "$T/dlg6.wav" streaming
dlg6=$(json measurements.loudness.dialogue)
prog6=$(json measurements.loudness.integrated)
within "$dlg6" "$(awk -v d="$dlg" 'BEGIN { print d + 6.02 }')" 1 \
    "speech 6 dB louder: the dialogue figure follows ($dlg6)"
within "$prog6" "$prog" 1.5 "the programme figure hardly moves ($prog6)"

gen "$T/chords.wav" -filter_complex "$CHORD,atrim=duration=30,volume=0.7,aformat=channel_layouts=stereo" \
    -c:a pcm_s24le
report "$T/chords.wav" streaming
is "$(json measurements.loudness.gating)" programme "chords alone: no speech to gate on"
within "$(json measurements.loudness.speech_share)" 0 0.01 "the gate found none"
is "$(findings loudness.dialogue | wc -l)" 1 "a note says so"
has "$T/out" "measured over the whole programme instead" \
    "and that the programme loudness was used"
within "$(json measurements.loudness.integrated)" -27.7 0.3 \
    "the chords (-27.7 LUFS) are measured as a programme"
is "$(findings loudness | wc -l)" 0 "and pass the spec's loudness"

finish
