# tests/delivery/sshd.sh: a throw-away sshd on 127.0.0.1, sourced by the
# delivery tests after lib.sh. sshd_start makes host and user keys in
# $T/ssh, an sshd_config that lets only that key in (as the user running
# the test; root with prohibit-password), and a known_hosts holding the
# real host key; it picks a free port and waits until sshd answers.
# sshd_stop kills that one sshd by its pid.

sshd_start() {
    SSHD=$(command -v sshd || echo /usr/sbin/sshd)
    [ -x "$SSHD" ] || skip_all "sshd is not installed (./quickstart check installs openssh-server)"
    command -v rsync >/dev/null || skip_all "rsync is not installed"
    S="$T/ssh"
    mkdir -p "$S" && chmod 700 "$S"
    ssh-keygen -q -t ed25519 -N '' -f "$S/host_key" || exit 99
    ssh-keygen -q -t ed25519 -N '' -f "$S/user_key" || exit 99
    ssh-keygen -q -t ed25519 -N '' -f "$S/other_key" || exit 99
    ssh-keygen -q -t ed25519 -N '' -f "$S/wrong_host_key" || exit 99
    cp "$S/user_key.pub" "$S/authorized_keys"
    chmod 600 "$S/authorized_keys"
    SSH_USER=$(id -un)
    SSH_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat >"$S/sshd_config" <<EOT
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $S/host_key
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
LogLevel ERROR
EOT
    mkdir -p /run/sshd 2>/dev/null
    "$SSHD" -D -e -f "$S/sshd_config" 2>"$S/sshd.log" &
    SSHD_PID=$!
    echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$S/host_key.pub")" >"$S/known_hosts"
    echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$S/wrong_host_key.pub")" >"$S/wrong_known_hosts"
    for _ in $(seq 50); do
        ssh -p "$SSH_PORT" -i "$S/user_key" -F /dev/null \
            -o UserKnownHostsFile="$S/known_hosts" -o BatchMode=yes \
            -o StrictHostKeyChecking=yes "$SSH_USER@127.0.0.1" true \
            2>/dev/null && return 0
        sleep 0.1
    done
    cat "$S/sshd.log"
    echo "Bail out! sshd did not start"
    exit 99
}

sshd_stop() {
    [ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null
    SSHD_PID=
}

# dest_section NAME TYPE [KEY=VALUE...]: a [destination NAME] for the
# loopback sshd, appended to $CFG.
dest_section() {
    _n=$1 _t=$2
    shift 2
    {
        echo "[destination $_n]"
        echo "type = $_t"
        echo "host = 127.0.0.1"
        echo "port = $SSH_PORT"
        echo "user = $SSH_USER"
        echo "key = $S/user_key"
        echo "known_hosts = $S/known_hosts"
        for kv in "$@"; do echo "$kv"; done
    } >>"$CFG"
}
