#!/bin/sh
# delivery/resume: a transfer cut mid-file (its engine killed, as a
# network cut kills it) is retried after a back-off and resumes from what
# the far side kept (rsync's .mcr-partial, sftp's NAME.part), then
# completes and verifies; progress reaches the job row as it goes. A
# worker killed with SIGKILL takes its engine with it.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/delivery/sshd.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 2" "retries = 0"
cp "$MCR_BUILDDIR/plugins/.libs/transfer.so" "$PLUGDIR/" || exit 99
trap 'daemon_kill; sshd_stop' EXIT
sshd_start
mkdir -p "$T/src" "$T/far"
head -c 6000000 /dev/urandom >"$T/src/big.mxf"
dest_section slow-rsync rsync "path = $T/far/r" "bwlimit = 1500"
dest_section slow-sftp sftp "path = $T/far/s" "bwlimit = 1500"
# Slow enough that an engine left running would still be sending when
# the test looks (sftp in batch mode prints nothing during a put, so no
# broken pipe would stop it either).
dest_section slower-rsync rsync "path = $T/far/r2" "bwlimit = 400"
dest_section slower-sftp sftp "path = $T/far/s2" "bwlimit = 400"

# engine_pid JOB NAME: the pid the job's log says the engine started with.
engine_pid() {
    for _ in $(seq 100); do
        p=$(mcr job log "$1" 2>/dev/null | sed -n "s/.*$2 started, pid \([0-9]*\).*/\1/p" | tail -n 1)
        [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p" && return 0
        sleep 0.1
    done
    return 1
}

# progress_over JOB FRACTION: wait until the job row's progress passes it.
progress_over() {
    for _ in $(seq 150); do
        [ "$(sql "SELECT coalesce(progress, 0) > $2 FROM jobs WHERE id = $1")" = 1 ] && return 0
        sleep 0.1
    done
    return 1
}

for engine in rsync sftp; do
    run mcr deliver "$T/src/big.mxf" --to "slow-$engine" --backoff 2 --json
    job=$(json id)
    progress_over "$job" 0.25
    ok $? "$engine: the transfer's progress reaches the job row"
    pid=$(engine_pid "$job" "$engine")
    ok $? "$engine: the engine runs as a child of the job (pid $pid)"
    sql "SELECT subject FROM jobs WHERE id = $job" >/dev/null
    kill -KILL "$pid"
    # What the far side kept of the cut file.
    if [ "$engine" = rsync ]; then part="$T/far/r/.mcr-partial/big.mxf"; else part="$T/far/s/big.mxf.part"; fi
    kept=0
    for _ in $(seq 15); do
        [ -s "$part" ] && kept=$(stat -c %s "$part") && break
        sleep 0.1
    done
    [ "$kept" -gt 0 ] && [ "$kept" -lt 6000000 ]
    ok $? "$engine: the far side kept the partial file ($kept bytes)"
    wait_state "$job" done 60
    ok $? "$engine: the job resumes and completes"
    mcr job log "$job" >"$T/log" 2>&1
    has "$T/log" "trying again in 2 s" "$engine: after a back-off"
    [ "$engine" = sftp ] && has "$T/log" "resuming big.mxf at byte" "sftp: appending to what was there"
    far=$T/far/r/big.mxf
    [ "$engine" = sftp ] && far=$T/far/s/big.mxf
    cmp -s "$T/src/big.mxf" "$far"
    ok $? "$engine: the file arrived whole"
    is "$(sql "SELECT f.status || ' ' || f.verified FROM delivery_files f JOIN deliveries d ON d.id = f.delivery_id WHERE d.job_id = $job")" \
        "delivered 1" "$engine: recorded delivered and verified"
    want=$(xxhsum -H2 "$T/src/big.mxf" | cut -d' ' -f1)
    is "$(sql "SELECT f.xxh128 FROM delivery_files f JOIN deliveries d ON d.id = f.delivery_id WHERE d.job_id = $job")" \
        "$want" "$engine: with the read side's xxh128"
done

# The worker dies (SIGKILL, as the OOM killer or a crash would): its
# engine must not go on writing to the far side unsupervised.
children() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '; }
for engine in rsync sftp; do
    run mcr deliver "$T/src/big.mxf" --to "slower-$engine" --retries 0 --json
    job=$(json id)
    # Mid-transfer: the engine has begun writing at the far side.
    far=$T/far/r2
    [ "$engine" = sftp ] && far=$T/far/s2
    for _ in $(seq 100); do
        [ -n "$(find "$far" -type f -size +1k 2>/dev/null | head -n 1)" ] && break
        sleep 0.1
    done
    pid=$(engine_pid "$job" "$engine")
    ok $? "$engine: the engine runs (pid $pid)"
    ssh_pid=$(children "$pid" | head -n 1)
    worker=$(sql "SELECT pid FROM jobs WHERE id = $job")
    [ -n "$worker" ] && [ "$(ps -o ppid= -p "$pid" | tr -d ' ')" = "$worker" ]
    ok $? "$engine: it is a child of the job's worker ($worker)"
    kill -KILL "$worker"
    gone=1
    for _ in $(seq 20); do
        if ! alive "$pid" && { [ -z "$ssh_pid" ] || ! alive "$ssh_pid"; }; then gone=0; break; fi
        sleep 0.1
    done
    ok $gone "$engine: the engine and its ssh are gone within 2 s of the worker's SIGKILL"
    wait_state "$job" failed 10
    has_err=$(sql "SELECT error FROM jobs WHERE id = $job")
    case "$has_err" in *"died on SIGKILL"*) ok 0 "$engine: mcrd records how the worker died";;
        *) ok 1 "$engine: mcrd records how the worker died ($has_err)";; esac
done

sshd_stop
finish
