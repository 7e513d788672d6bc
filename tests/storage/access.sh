#!/bin/sh
# storage/access: mcr access grant, revoke and show with POSIX ACLs,
# checked with getfacl; every change is in the shift log.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
command -v getfacl >/dev/null || skip_all "getfacl is not installed (the acl package)"
[ "$(id -u)" -eq 0 ] || skip_all "creating test groups needs root"
daemon_setup
g="mcrt$$"
groupadd "$g" || skip_all "groupadd failed"
trap 'groupdel "$g" 2>/dev/null; daemon_kill' EXIT
P="$T/prod"
mkdir -p "$P/ACME/Film1/day1" "$T/outside"
echo x >"$P/ACME/Film1/day1/a.mov"
chmod 750 "$P/ACME" "$P/ACME/Film1" "$P/ACME/Film1/day1"
chmod 640 "$P/ACME/Film1/day1/a.mov"
cat >>"$CFG" <<EOT
[volume prod]
path = $P
[client ACME]
group = $g
EOT
setfacl -m u:nobody:r "$P/ACME/Film1/day1/a.mov" 2>/dev/null
probe=$(getfacl -p "$P/ACME/Film1/day1/a.mov" 2>/dev/null | grep -c '^user:nobody:r--')
[ "$probe" = 1 ] || skip_all "this filesystem does not keep POSIX ACLs"
setfacl -x u:nobody "$P/ACME/Film1/day1/a.mov"

run mcr access grant ACME "$P/ACME/Film1"
expect_rc 0 "grant a client read-write access to a folder"
getfacl -p "$P/ACME/Film1/day1" >"$T/acl" 2>/dev/null
has "$T/acl" "group:$g:rwx" "the folder's ACL names the client's group"
has "$T/acl" "default:group:$g:rwx" "and so does its default ACL, for what comes later"
getfacl -p "$P/ACME/Film1/day1/a.mov" >"$T/acl" 2>/dev/null
has "$T/acl" "group:$g:rw-" "a file gets rw- (no x on a file that had none)"
is "$(stat -c %G "$P/ACME/Film1/day1/a.mov")" "$g" "the client's group owns what is under the folder"
echo y >"$P/ACME/Film1/day1/new.mov"
getfacl -p "$P/ACME/Film1/day1/new.mov" >"$T/acl" 2>/dev/null
grep "^group:$g:" "$T/acl" | grep -q "rw-"
ok $? "a file written later inherits the entry (read-write)"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.access' AND json_extract(data, '\$.action') = 'grant' AND json_extract(data, '\$.client') = 'ACME'")" 1 \
    "the grant is in the shift log"
is "$(sql "SELECT user FROM events WHERE kind = 'storage.access'")" "$(id -un)" "with who did it"

run mcr access show "$P/ACME/Film1" --json
expect_rc 0 "access show"
is "$(json clients.0)" ACME "names the client that can reach the folder"
is "$(json group)" "$g" "and the owning group"

run mcr access revoke ACME "$P/ACME/Film1"
expect_rc 0 "revoke"
getfacl -p "$P/ACME/Film1/day1" >"$T/acl" 2>/dev/null
! grep -q "group:$g:" "$T/acl"; ok $? "the group's entries are gone"
is "$(stat -c %A "$P/ACME/Film1/day1/a.mov" | cut -c5-7)" "---" "and the owning group's permission bits"
run mcr access show "$P/ACME/Film1/day1/a.mov" --json
is "$(json clients)" "[]" "no client can reach it by ACL (show)"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.access'")" 2 "the revoke is in the shift log"

run mcr access grant ACME "$P/ACME" --read-only-access
expect_rc 0 "grant read-only"
getfacl -p "$P/ACME/Film1/day1/a.mov" >"$T/acl" 2>/dev/null
has "$T/acl" "group:$g:r--" "gives r-- to files"
getfacl -p "$P/ACME/Film1" >"$T/acl" 2>/dev/null
has "$T/acl" "group:$g:r-x" "and r-x to folders"

run mcr access grant ACME "$T/outside"
expect_rc 2 "a folder outside the volumes is refused"
has "$T/err" "outside every configured volume" "saying so"
run mcr access grant NOBODY "$P/ACME"
expect_rc 2 "a client whose group does not exist is refused"
has "$T/err" "groupadd NOBODY" "saying how to fix it"
one_line "$T/err" "in one line"
finish
