# tests/qc/lib-qc.sh: what the QC tests share, sourced after tests/lib.sh.
# A plugin folder with the built qc plugin, a config whose [qc] specs is
# the source tree's etc/specs, and helpers that pick findings out of a
# report printed with --json.

command -v ffmpeg >/dev/null 2>&1 ||
    skip_all "the ffmpeg program is not installed (it makes the test signals)"
PLUGDIR="$T/plugins"
mkdir -p "$PLUGDIR"
cp "$MCR_BUILDDIR/plugins/.libs/qc.so" "$PLUGDIR/" || exit 99
chmod 755 "$PLUGDIR"
chmod 644 "$PLUGDIR"/*.so
export MCR_PLUGIN_DIR="$PLUGDIR"
SPECS="$TESTS_SRCDIR/../etc/specs"
CFG="$T/mcr.ini"
printf '[qc]\nspecs = %s\n' "$SPECS" >"$CFG"
DB="$T/shiftlog.db"

qc() {
    "$MCR" --db "$DB" --config "$CFG" qc "$@"
}

# gen OUT ARGS...: ffmpeg, quiet, overwriting.
gen() {
    _out=$1
    shift
    ffmpeg -nostdin -v error -y "$@" "$_out" || {
        echo "# ffmpeg could not make $_out"
        return 1
    }
}

# report FILE SPEC: the JSON report of FILE in $T/out (no shift log).
report() {
    run "$MCR" --config "$CFG" qc "$1" --spec "$2" --json --quiet --no-log
}

# jq_num PATH: a number from $T/out.
val() {
    json "$1"
}

# within GOT WANT TOL DESCRIPTION: |GOT - WANT| <= TOL.
within() {
    awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN {
        if (g == "" || g == "null") exit 1
        d = g - w; if (d < 0) d = -d; exit !(d <= t + 1e-9) }'
    _s=$?
    [ $_s -ne 0 ] && echo "#   got $1, want $2 +/- $3"
    ok $_s "$4"
}

# between GOT LO HI DESCRIPTION
between() {
    awk -v g="$1" -v l="$2" -v h="$3" 'BEGIN {
        if (g == "" || g == "null") exit 1; exit !(g >= l && g <= h) }'
    _s=$?
    [ $_s -ne 0 ] && echo "#   got $1, want $2 .. $3"
    ok $_s "$4"
}

# findings CHECK: "t_in t_out severity status" lines of the report in
# $T/out whose check is CHECK.
findings() {
    _n=$("$JSONGET" length:findings <"$T/out") || return 0
    _i=0
    while [ "$_i" -lt "$_n" ]; do
        if [ "$("$JSONGET" "findings.$_i.check" <"$T/out")" = "$1" ]; then
            echo "$("$JSONGET" "findings.$_i.t_in" <"$T/out")" \
                "$("$JSONGET" "findings.$_i.t_out" <"$T/out")" \
                "$("$JSONGET" "findings.$_i.severity" <"$T/out")" \
                "$("$JSONGET" "findings.$_i.status" <"$T/out")" \
                "$("$JSONGET" "findings.$_i.tc_in" <"$T/out")"
        fi
        _i=$((_i + 1))
    done
}
