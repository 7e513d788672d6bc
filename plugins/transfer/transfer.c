/*
 * transfer: the delivery duty (D4). transfer.deliver sends files and
 * folders to a destination through a real engine: the shared verified
 * copy (src/vcopy.c: one read, inline xxh128 + md5, .part, fsync, read
 * back, rename) for local and NAS folders, rsync over SSH, the OpenSSH
 * sftp client in batch mode, or rclone, each run as a child that dies
 * with the worker (PR_SET_PDEATHSIG). The command line mcr deliver
 * resolves [destination NAME] into the job's parameters, so a retried job
 * goes where the first attempt went. Before a remote engine runs, each
 * file is hashed (xxh128 and md5, one read through vcopy's hasher); the
 * engine's own output becomes the job's progress; its exit code becomes
 * one sentence. Transient failures (a cut connection, a timeout) are
 * retried with a doubling back-off and resume: rsync keeps partial files
 * in .mcr-partial on the far side, and sftp appends to a NAME.part it
 * renames when complete. Failures a retry would only repeat (a wrong host
 * key, a refused login, a missing destination, a bad setting) end the job
 * as MCR_JOB_REFUSED, so mcrd does not run it again. Afterwards the far
 * side is checked as the destination's verify= says (an rsync --checksum
 * pass, a size listing, or none), and each file is recorded
 * ("delivery.file") with its size, hashes, times, rate and status; the
 * delivery itself is recorded as "delivery". Only a file the engine
 * finished is ever marked delivered. With manifest=1 an ASC MHL v2
 * generation of what was sent (src/mhl.c) goes with it, into ascmhl/.
 *
 * transfer.receive checks a received folder against its ASC MHL v2
 * history (mhl_verify_tree), or against MHL v1.1 files and md5sum /
 * xxhsum files (manifests.c), and records a receipt ("delivery" with
 * direction "in") that flags each corrupted, missing or unlisted file.
 *
 * No key, password or key content is logged: the key is named to ssh by
 * path and never read here.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "manifests.h"
#include "mcr-plugin.h"
#include "mhl.h"
#include "vcopy.h"

#define ERRLEN 1024
/* The hash pass's reads: small enough that the read and the hash meet
 * in the CPU's cache (as vcopy's copy buffer). Hashing 2 GiB from the
 * page cache took 0.27-0.43 s with it, 0.30-0.55 s with 4 MiB. */
#define TX_BUF (256u << 10)
/* What a delivery hashes as it reads: the receipt lists both. */
/* What a delivery hashes each file with unless asked for more (hash=,
 * from the destination or --hash): xxh128, which the ASC MHL manifest and
 * the read-back use; md5 and xxh64 when a client wants them in the
 * receipt. */
#define TX_ALGOS VCOPY_ALGO_BIT(VCOPY_XXH128)
#define TX_ALGOS_ALLOWED (TX_ALGOS | VCOPY_ALGO_BIT(VCOPY_MD5) | \
	VCOPY_ALGO_BIT(VCOPY_XXH64))

struct tx_file {
	char *src;		/* absolute path */
	char *rel;		/* path at the destination, relative */
	uint64_t size;
	struct vcopy_hashes h;	/* of the bytes read here */
	double start, end;	/* wall clock seconds; 0 unknown */
	int sent;		/* the engine finished it */
	int verified;		/* 1 ok, -1 mismatch, 0 not checked */
	char *problem;
};

struct tx_dest {
	const char *name, *type, *path, *host, *port, *user, *key;
	const char *known_hosts, *verify, *window;
	const char *rclone_config;	/* rclone.conf; holds credentials */
	long bwlimit;		/* KiB/s; 0: none */
};

struct tx {
	struct mcr_job *job;
	const struct mcr_host *host;
	struct tx_dest d;
	struct tx_file *files;
	size_t nfiles;
	uint64_t total;
	uint64_t done_before;	/* bytes of files finished (hashing, local) */
	unsigned algos;		/* the hashes to compute (hash=) */
	size_t cur;		/* the file in hand */
	double t0;		/* this attempt's start, for rates */
	double started;		/* the job's start */
	double hash_seconds;
	int retries;
	int backoff_s;
	char *stderr_tail;	/* the engine's last words */
	char sftp_pending[4096];
	int sftp_phase;
	json_t *listing;	/* rel -> size from a size listing */
};

static double
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
tx_log(struct tx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
tx_log(struct tx *t, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	t->host->log(t->job, buf);
}

static void
tx_record(struct tx *t, const char *type, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s != NULL && t->host->size >= offsetof(struct mcr_host, record) +
	    sizeof t->host->record && t->host->record != NULL)
		t->host->record(t->job, type, s);
	free(s);
	json_decref(o);
}

/* --- the transfer window --- */

static int
hhmm(const char *s, int *min)
{
	int h, m;
	char tail;

	if (sscanf(s, "%d:%d%c", &h, &m, &tail) < 2 || h < 0 || h > 24 ||
	    m < 0 || m > 59)
		return -1;
	*min = h * 60 + m;
	return 0;
}

/* 1 when now (local time) is inside "HH:MM-HH:MM" (which may wrap past
 * midnight), 0 when not, -1 when the text is not a window. */
int tx_window_open(const char *window, time_t now);
int
tx_window_open(const char *window, time_t now)
{
	const char *dash = strchr(window, '-');
	char a[8];
	int from, to, cur;
	struct tm tm;

	if (dash == NULL || dash - window >= (long)sizeof a)
		return -1;
	memcpy(a, window, (size_t)(dash - window));
	a[dash - window] = '\0';
	if (hhmm(a, &from) < 0 || hhmm(dash + 1, &to) < 0)
		return -1;
	localtime_r(&now, &tm);
	cur = tm.tm_hour * 60 + tm.tm_min;
	if (from == to)
		return 1;
	if (from < to)
		return cur >= from && cur < to;
	return cur >= from || cur < to;
}

/* --- the files to send --- */

static struct tx *walk_tx;
static size_t walk_root_len;
static const char *walk_prefix;

static void
add_file(struct tx *t, const char *src, const char *rel, uint64_t size)
{
	struct tx_file *f;

	t->files = realloc(t->files, (t->nfiles + 1) * sizeof *t->files);
	if (t->files == NULL)
		abort();
	f = &t->files[t->nfiles++];
	memset(f, 0, sizeof *f);
	f->src = tx_strdup(src);
	f->rel = tx_strdup(rel);
	f->size = size;
	t->total += size;
}

static int
walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char *rel;

	(void)ftw;
	if (type == FTW_DNR || type == FTW_NS)
		return -1;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	rel = tx_printf("%s%s", walk_prefix, path + walk_root_len);
	add_file(walk_tx, path, rel, (uint64_t)st->st_size);
	free(rel);
	return 0;
}

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tx_file *)a)->rel,
	    ((const struct tx_file *)b)->rel);
}

static int
collect(struct tx *t, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *copy, *base;
	size_t before = t->nfiles;

	if (path[0] != '/') {
		snprintf(err, errlen, "%s is not an absolute path", path);
		return -1;
	}
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return -1;
	}
	copy = tx_strdup(path);
	base = basename(copy);
	if (S_ISREG(st.st_mode))
		add_file(t, path, base, (uint64_t)st.st_size);
	else if (S_ISDIR(st.st_mode)) {
		walk_tx = t;
		walk_root_len = strlen(path);
		while (walk_root_len > 1 && path[walk_root_len - 1] == '/')
			walk_root_len--;
		walk_prefix = base;
		if (nftw(path, walk_one, 32, FTW_PHYS) != 0) {
			snprintf(err, errlen, "cannot read every file under %s",
			    path);
			free(copy);
			return -1;
		}
		qsort(t->files + before, t->nfiles - before, sizeof *t->files,
		    file_cmp);
	} else {
		snprintf(err, errlen, "%s is neither a file nor a folder", path);
		free(copy);
		return -1;
	}
	free(copy);
	return 0;
}

/* --- progress --- */

static void
progress(struct tx *t, double fraction, double rate, double eta)
{
	char subject[1024];
	const char *name = t->cur < t->nfiles ? t->files[t->cur].rel : "";

	snprintf(subject, sizeof subject, "%s -> %s", name, t->d.name);
	t->host->progress(t->job, fraction, rate, "B/s", eta, subject);
}

/* While a remote engine waits for the read side's hashes, the job's
 * fraction stays unknown (it measures the transfer); a local copy hashes
 * as it copies, so there it is the copy's fraction. */
static void
hash_progress(struct tx *t, uint64_t done)
{
	double el = wall() - t->t0, rate;
	uint64_t all = t->done_before + done;
	int copying = strcmp(t->d.type, "local") == 0;

	rate = el > 0 ? all / el : -1;
	progress(t, copying && t->total > 0 ? (double)all / t->total : -1,
	    rate, copying && rate > 0 ? (t->total - all) / rate : -1);
}

/* Hashes path in one read with vcopy's hasher (the algorithms in set) and,
 * when x32 is not NULL, XXH32 (which only MHL v1.1 uses), reporting
 * progress as it goes. The time spent is added to t->hash_seconds.
 * Returns 0, -errno with one sentence in err, or 1 when cancelled. */
static int
tx_hash(struct tx *t, const char *path, unsigned set, struct vcopy_hashes *h,
    uint32_t *x32, uint64_t *size, char *err, size_t errlen)
{
	struct vcopy_hasher *hs = NULL;
	XXH32_state_t *s32 = NULL;
	unsigned char *buf = NULL;
	uint64_t done = 0;
	double t0 = wall(), last = 0;
	ssize_t r;
	int fd, rc = 0;

	memset(h, 0, sizeof *h);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return rc;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((buf = malloc(TX_BUF)) == NULL)
		abort();
	hs = vcopy_hasher_new(set);
	if (x32 != NULL && ((s32 = XXH32_createState()) == NULL ||
	    XXH32_reset(s32, 0) != XXH_OK))
		abort();
	while ((r = read(fd, buf, TX_BUF)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			snprintf(err, errlen, "cannot read %s at byte %llu: %s",
			    path, (unsigned long long)done, strerror(errno));
			goto out;
		}
		vcopy_hasher_update(hs, buf, (size_t)r);
		if (s32 != NULL)
			XXH32_update(s32, buf, (size_t)r);
		done += (uint64_t)r;
		if (t->host->cancelled(t->job)) {
			rc = 1;
			goto out;
		}
		if (wall() - last > 0.2) {
			hash_progress(t, done);
			last = wall();
		}
	}
	vcopy_hasher_final(hs, h);
	if (s32 != NULL)
		*x32 = XXH32_digest(s32);
	if (size != NULL)
		*size = done;
out:
	t->hash_seconds += wall() - t0;
	if (s32 != NULL)
		XXH32_freeState(s32);
	vcopy_hasher_free(hs);
	free(buf);
	close(fd);
	return rc;
}

/* --- running an engine --- */

/* Starts argv with stdin, stdout and stderr on the given descriptors, as
 * a child that gets SIGTERM when this worker dies, even by SIGKILL: an
 * engine left behind would go on writing to the far side with nobody to
 * record it, and a retry would race it. (posix_spawn cannot set the
 * parent-death signal, hence fork and exec.) Returns 0 with *pid set, or
 * an errno value (exec failures are passed back through a pipe). */
static int
spawn_child(char *const argv[], int fd0, int fd1, int fd2, pid_t *pid)
{
	pid_t parent = getpid(), p;
	sigset_t none;
	ssize_t n;
	int ep[2], e = 0;

	if (pipe2(ep, O_CLOEXEC) < 0)
		return errno;
	if ((p = fork()) < 0) {
		e = errno;
		close(ep[0]);
		close(ep[1]);
		return e;
	}
	if (p == 0) {
		/* The parent may have died before prctl: then we are an
		 * orphan already and must not run. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 ||
		    getppid() != parent)
			_exit(127);
		if (dup2(fd0, 0) < 0 || dup2(fd1, 1) < 0 || dup2(fd2, 2) < 0)
			goto fail;
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(argv[0], argv);
fail:
		e = errno;
		if (write(ep[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(ep[1]);
	while ((n = read(ep[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(ep[0]);
	if (n == (ssize_t)sizeof e) {
		while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
			;
		return e;
	}
	*pid = p;
	return 0;
}

/* Runs argv with stdin from input (may be NULL), feeding stdout and stderr
 * line by line (split at \r and \n) to on_line. Returns the wait status,
 * or -1 when it could not start (err set). On cancel the child gets
 * SIGTERM, so rsync keeps its partial file. */
static int
spawn_run(struct tx *t, char *const argv[], const char *input,
    void (*on_line)(struct tx *t, int is_err, char *line),
    void (*tick)(struct tx *t, pid_t pid), char *err, size_t errlen)
{
	int out[2], er[2], in[2], status = -1, cancelled = 0;
	char buf[2][8192];
	size_t have[2] = { 0, 0 };
	pid_t pid = -1;
	int open_fds = 2, i, rc;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0 ||
	    pipe2(in, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	rc = spawn_child(argv, in[0], out[1], er[1], &pid);
	close(in[0]);
	close(out[1]);
	close(er[1]);
	if (rc != 0) {
		snprintf(err, errlen, "cannot run %s: %s; is it installed?",
		    argv[0], strerror(rc));
		close(in[1]);
		close(out[0]);
		close(er[0]);
		return -1;
	}
	tx_log(t, "%s started, pid %ld", argv[0], (long)pid);
	if (input != NULL) {
		size_t n = strlen(input);
		const char *p = input;

		signal(SIGPIPE, SIG_IGN);
		while (n > 0) {
			ssize_t w = write(in[1], p, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			p += w;
			n -= (size_t)w;
		}
	}
	close(in[1]);
	while (open_fds > 0) {
		struct pollfd pfd[2] = { { out[0], POLLIN, 0 },
			{ er[0], POLLIN, 0 } };

		if (have[0] == (size_t)-1)
			pfd[0].fd = -1;
		if (have[1] == (size_t)-1)
			pfd[1].fd = -1;
		if (poll(pfd, 2, 250) < 0 && errno != EINTR)
			break;
		if (tick != NULL)
			tick(t, pid);
		if (!cancelled && t->host->cancelled(t->job)) {
			kill(pid, SIGTERM);
			cancelled = 1;
		}
		for (i = 0; i < 2; i++) {
			ssize_t r;
			size_t s, k;

			if (pfd[i].fd < 0 || !(pfd[i].revents &
			    (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(pfd[i].fd, buf[i] + have[i],
			    sizeof buf[i] - 1 - have[i]);
			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				if (have[i] > 0) {
					buf[i][have[i]] = '\0';
					on_line(t, i, buf[i]);
				}
				have[i] = (size_t)-1;
				open_fds--;
				continue;
			}
			have[i] += (size_t)r;
			s = 0;
			for (k = 0; k < have[i]; k++) {
				if (buf[i][k] == '\n' || buf[i][k] == '\r') {
					buf[i][k] = '\0';
					if (k > s)
						on_line(t, i, buf[i] + s);
					s = k + 1;
				}
			}
			if (s == 0 && have[i] == sizeof buf[i] - 1) {
				buf[i][have[i]] = '\0';
				on_line(t, i, buf[i]);
				s = have[i];
			}
			memmove(buf[i], buf[i] + s, have[i] - s);
			have[i] -= s;
		}
	}
	close(out[0]);
	close(er[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static void
keep_stderr(struct tx *t, const char *line)
{
	size_t old = t->stderr_tail ? strlen(t->stderr_tail) : 0;
	size_t n = strlen(line);

	/* Keep the last few KiB: the reason is usually at the end. */
	if (old + n + 2 > 4096) {
		free(t->stderr_tail);
		t->stderr_tail = NULL;
		old = 0;
	}
	t->stderr_tail = realloc(t->stderr_tail, old + n + 2);
	if (t->stderr_tail == NULL)
		abort();
	memcpy(t->stderr_tail + old, line, n);
	t->stderr_tail[old + n] = '\n';
	t->stderr_tail[old + n + 1] = '\0';
	tx_log(t, "engine: %s", line);
}

static int
said(const struct tx *t, const char *what)
{
	return t->stderr_tail != NULL && strstr(t->stderr_tail, what) != NULL;
}

/* Turns an ssh failure into one sentence; 1 when retrying may help. */
static int
ssh_sentence(const struct tx *t, char *msg, size_t len)
{
	const char *host = t->d.host, *port = t->d.port ? t->d.port : "22";

	if (said(t, "REMOTE HOST IDENTIFICATION HAS CHANGED") ||
	    said(t, "Host key verification failed") ||
	    said(t, "No ED25519 host key is known") ||
	    said(t, "host key is known")) {
		snprintf(msg, len, "the SSH host key of %s port %s is not the "
		    "one in %s (changed, or never recorded); confirm the "
		    "key's fingerprint with the far side and add it to that "
		    "file: mcr never accepts a host key blindly", host, port,
		    t->d.known_hosts ? t->d.known_hosts : "known_hosts");
		return 0;
	}
	if (said(t, "Permission denied")) {
		snprintf(msg, len, "%s refused the login of user %s with the "
		    "configured key; check the key is in that user's "
		    "authorized_keys on the far side", host,
		    t->d.user ? t->d.user : "(default)");
		return 0;
	}
	if (said(t, "Connection refused")) {
		snprintf(msg, len, "nothing accepts SSH connections on %s port "
		    "%s (connection refused); check the address and that the "
		    "far side's sshd runs", host, port);
		return 1;
	}
	if (said(t, "Could not resolve hostname")) {
		snprintf(msg, len, "the host name %s does not resolve; check "
		    "host = in the destination", host);
		return 0;
	}
	if (said(t, "timed out") || said(t, "No route to host") ||
	    said(t, "Network is unreachable")) {
		snprintf(msg, len, "%s port %s cannot be reached (timeout or "
		    "no route); the network or the far side is down", host,
		    port);
		return 1;
	}
	if (said(t, "Connection reset") || said(t, "Broken pipe") ||
	    said(t, "Connection closed")) {
		snprintf(msg, len, "the SSH connection to %s was cut during "
		    "the transfer", host);
		return 1;
	}
	snprintf(msg, len, "ssh to %s port %s failed; 'mcr job log' shows "
	    "what ssh said", host, port);
	return 1;
}

/* rsync's exit status as one sentence (rsync(1) EXIT VALUES); returns 1
 * when another attempt may succeed. */
static int
rsync_sentence(const struct tx *t, int status, char *msg, size_t len)
{
	int code;

	if (WIFSIGNALED(status)) {
		snprintf(msg, len, "rsync was killed by signal %d during the "
		    "transfer", WTERMSIG(status));
		return 1;
	}
	code = WEXITSTATUS(status);
	switch (code) {
	case 255:
		return ssh_sentence(t, msg, len);
	case 1:
		snprintf(msg, len, "rsync refused its command line (exit 1); "
		    "check the destination's settings");
		return 0;
	case 2:
		snprintf(msg, len, "the rsync on %s speaks an incompatible "
		    "protocol (exit 2); update rsync there", t->d.host);
		return 0;
	case 3:
		snprintf(msg, len, "rsync could not use the source or the "
		    "destination folder (exit 3): %s", t->stderr_tail ?
		    "see 'mcr job log'" : "no detail");
		return 0;
	case 5:
		snprintf(msg, len, "rsync could not start its protocol with %s "
		    "(exit 5); is rsync installed on the far side?", t->d.host);
		return 0;
	case 10:
		snprintf(msg, len, "the connection to %s failed during the "
		    "transfer (rsync exit 10, socket I/O)", t->d.host);
		return 1;
	case 11:
		snprintf(msg, len, "a file could not be read or written (rsync "
		    "exit 11); the far side may be full or read-only");
		return 0;
	case 12:
		if (said(t, "Permission denied") || said(t, "Host key"))
			return ssh_sentence(t, msg, len);
		snprintf(msg, len, "the rsync data stream to %s broke (exit "
		    "12); the connection was cut", t->d.host);
		return 1;
	case 20:
		snprintf(msg, len, "rsync was interrupted (exit 20)");
		return 1;
	case 23:
		snprintf(msg, len, "some files were not transferred because of "
		    "errors (rsync exit 23); 'mcr job log' names them");
		return 1;
	case 24:
		snprintf(msg, len, "some source files vanished during the "
		    "transfer (rsync exit 24)");
		return 0;
	case 30:
	case 35:
		snprintf(msg, len, "rsync timed out talking to %s (exit %d)",
		    t->d.host, code);
		return 1;
	default:
		snprintf(msg, len, "rsync failed with exit status %d; 'mcr job "
		    "log' shows what it said", code);
		return 1;
	}
}

/* The ssh command rsync runs; paths are quoted for rsync's own splitter. */
static char *
ssh_command(const struct tx *t)
{
	return tx_printf("ssh -p %s -i '%s' -o UserKnownHostsFile='%s' "
	    "-o StrictHostKeyChecking=yes -o BatchMode=yes "
	    "-o IdentitiesOnly=yes -o PasswordAuthentication=no "
	    "-o KbdInteractiveAuthentication=no -o ConnectTimeout=15 "
	    "-o ServerAliveInterval=15 -o ServerAliveCountMax=3 -F /dev/null",
	    t->d.port ? t->d.port : "22", t->d.key, t->d.known_hosts);
}

static char *
remote_spec(const struct tx *t)
{
	const char *p = t->d.path ? t->d.path : ".";
	size_t n = strlen(p);

	return tx_printf("%s%s%s:%s%s", t->d.user ? t->d.user : "",
	    t->d.user ? "@" : "", t->d.host, p,
	    n > 0 && p[n - 1] == '/' ? "" : "/");
}

/* --- rsync --- */

static struct tx_file *
find_rel(struct tx *t, const char *rel, size_t *idx)
{
	size_t i;

	for (i = 0; i < t->nfiles; i++) {
		if (strcmp(t->files[i].rel, rel) == 0) {
			if (idx != NULL)
				*idx = i;
			return &t->files[i];
		}
	}
	return NULL;
}

static double
rate_unit(const char *s)
{
	double v;
	char unit[8] = "";

	if (sscanf(s, "%lf%7[kMGTB]", &v, unit) < 1)
		return -1;
	switch (unit[0]) {
	case 'k': return v * 1024;
	case 'M': return v * 1024 * 1024;
	case 'G': return v * 1024 * 1024 * 1024;
	case 'T': return v * 1024.0 * 1024 * 1024 * 1024;
	default: return v;
	}
}

static void
rsync_line(struct tx *t, int is_err, char *line)
{
	char bytes[64], rate[32], eta[32];
	int pct, h, m, s;
	struct tx_file *f;
	size_t idx;

	if (is_err) {
		keep_stderr(t, line);
		return;
	}
	/* "  1,234,567  45%   12.34MB/s    0:00:12 (xfr#1, to-chk=3/5)" */
	if (sscanf(line, " %63[0-9,] %d%% %31s %31s", bytes, &pct, rate,
	    eta) == 4 && strchr(rate, '/') != NULL) {
		double r = rate_unit(rate), e = -1;

		if (sscanf(eta, "%d:%d:%d", &h, &m, &s) == 3)
			e = h * 3600 + m * 60 + s;
		progress(t, pct / 100.0, r, strstr(line, "xfr#") ? -1 : e);
		return;
	}
	while (*line == ' ')
		line++;
	if ((f = find_rel(t, line, &idx)) != NULL) {
		double now = wall();

		if (t->cur < t->nfiles && t->files[t->cur].start > 0 &&
		    t->files[t->cur].end == 0 && t->cur != idx)
			t->files[t->cur].end = now;
		t->cur = idx;
		f->start = now;
		f->end = 0;
	}
}

static int
run_rsync(struct tx *t, int attempt, char *msg, size_t len)
{
	char *ssh = ssh_command(t), *remote = remote_spec(t);
	char bw[32];
	char **argv = calloc(t->nfiles + 16, sizeof *argv);
	size_t i, n = 0;
	int status, again;

	(void)attempt;
	argv[n++] = "rsync";
	argv[n++] = "-a";
	argv[n++] = "--partial-dir=.mcr-partial";
	argv[n++] = "--delay-updates";
	argv[n++] = "--mkpath";
	argv[n++] = "--no-inc-recursive";
	argv[n++] = "--info=progress2,name1";
	argv[n++] = "--protect-args";
	argv[n++] = "-e";
	argv[n++] = ssh;
	if (t->d.bwlimit > 0) {
		snprintf(bw, sizeof bw, "--bwlimit=%ld", t->d.bwlimit);
		argv[n++] = bw;
	}
	/* Each top-level source once: a folder sends what is under it. */
	for (i = 0; i < t->nfiles; i++) {
		const char *src = t->files[i].src, *rel = t->files[i].rel;
		size_t top = strcspn(rel, "/");
		size_t srclen = strlen(src) - (strlen(rel) - top);
		size_t k;
		int dup = 0;

		for (k = 0; k < i && !dup; k++) {
			size_t ktop = strcspn(t->files[k].rel, "/");

			dup = ktop == top && strncmp(t->files[k].rel, rel,
			    top) == 0;
		}
		if (!dup)
			argv[n++] = strndup(src, srclen);
	}
	argv[n++] = remote;
	argv[n] = NULL;
	t->cur = 0;
	for (i = 0; i < t->nfiles; i++)
		t->files[i].start = t->files[i].end = 0;
	status = spawn_run(t, argv, NULL, rsync_line, NULL, msg, len);
	for (i = 10 + (t->d.bwlimit > 0); i < n - 1; i++)
		free(argv[i]);
	free(argv);
	free(ssh);
	free(remote);
	if (status < 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		double now = wall();

		for (i = 0; i < t->nfiles; i++) {
			if (t->files[i].start > 0 && t->files[i].end == 0)
				t->files[i].end = now;
			t->files[i].sent = 1;
		}
		return 0;
	}
	if (t->host->cancelled(t->job))
		return 2;
	again = rsync_sentence(t, status, msg, len);
	return again ? 1 : -1;
}

/* The far side as rsync sees it: a --checksum dry run names every file
 * whose content differs from ours. */
static void
verify_line(struct tx *t, int is_err, char *line)
{
	struct tx_file *f;

	if (is_err) {
		keep_stderr(t, line);
		return;
	}
	if (t->sftp_phase == 1) {
		/* "-rw-r--r-- 1,234 2026/11/29 10:00:00 dir/name" */
		char perms[16], size[32], date[16], tim[16];
		int off = 0;

		if (sscanf(line, "%15s %31[0-9,] %15s %15s %n", perms, size,
		    date, tim, &off) == 4 && off > 0 && perms[0] == '-') {
			char digits[32];
			size_t k, j = 0;

			for (k = 0; size[k] != '\0' && j < sizeof digits - 1;
			    k++)
				if (size[k] != ',')
					digits[j++] = size[k];
			digits[j] = '\0';
			json_object_set_new(t->listing, line + off,
			    json_integer(strtoll(digits, NULL, 10)));
		}
		return;
	}
	/* --itemize-changes: ">fc.T...... name" */
	if (strlen(line) > 12 && line[11] == ' ' &&
	    (f = find_rel(t, line + 12, NULL)) != NULL && line[0] != '.') {
		f->verified = -1;
		free(f->problem);
		f->problem = tx_printf("differs at %s after the transfer "
		    "(rsync --checksum)", t->d.name);
	}
}

static int
verify_rsync(struct tx *t, char *msg, size_t len)
{
	char *ssh = ssh_command(t), *remote = remote_spec(t), *remote_r;
	char *argv[16 + 1];
	size_t i, n = 0;
	int status;

	for (i = 0; i < t->nfiles; i++)
		t->files[i].verified = 0;
	if (strcmp(t->d.verify, "checksum") == 0) {
		char **av = calloc(t->nfiles + 16, sizeof *av);
		size_t k;

		av[n++] = "rsync";
		av[n++] = "-a";
		av[n++] = "--checksum";
		av[n++] = "--dry-run";
		av[n++] = "--itemize-changes";
		av[n++] = "--no-inc-recursive";
		av[n++] = "--protect-args";
		av[n++] = "-e";
		av[n++] = ssh;
		for (i = 0; i < t->nfiles; i++) {
			const char *rel = t->files[i].rel;
			size_t top = strcspn(rel, "/"), dup = 0;

			for (k = 0; k < i && !dup; k++)
				dup = strcspn(t->files[k].rel, "/") == top &&
				    strncmp(t->files[k].rel, rel, top) == 0;
			if (!dup)
				av[n++] = strndup(t->files[i].src,
				    strlen(t->files[i].src) -
				    (strlen(rel) - top));
		}
		av[n++] = remote;
		av[n] = NULL;
		t->sftp_phase = 0;
		status = spawn_run(t, av, NULL, verify_line, NULL, msg, len);
		for (i = 9; i < n - 1; i++)
			free(av[i]);
		free(av);
	} else {
		remote_r = remote;
		argv[n++] = "rsync";
		argv[n++] = "-r";
		argv[n++] = "--list-only";
		argv[n++] = "--protect-args";
		argv[n++] = "-e";
		argv[n++] = ssh;
		argv[n++] = remote_r;
		argv[n] = NULL;
		t->sftp_phase = 1;
		json_decref(t->listing);
		t->listing = json_object();
		status = spawn_run(t, argv, NULL, verify_line, NULL, msg, len);
		t->sftp_phase = 0;
	}
	free(ssh);
	free(remote);
	if (status < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char why[600];

		rsync_sentence(t, status, why, sizeof why);
		snprintf(msg, len, "the check of the far side failed: %s", why);
		return -1;
	}
	for (i = 0; i < t->nfiles; i++) {
		struct tx_file *f = &t->files[i];

		if (t->listing != NULL && strcmp(t->d.verify, "size") == 0) {
			json_t *v = json_object_get(t->listing, f->rel);

			if (v == NULL || (uint64_t)json_integer_value(v) !=
			    f->size) {
				f->verified = -1;
				free(f->problem);
				f->problem = v == NULL ? tx_printf("missing at "
				    "%s after the transfer", t->d.name) :
				    tx_printf("%lld bytes at %s, %llu here",
				    (long long)json_integer_value(v),
				    t->d.name, (unsigned long long)f->size);
				continue;
			}
		}
		if (f->verified == 0)
			f->verified = 1;
	}
	return 0;
}

/* --- sftp (the OpenSSH client in batch mode) --- */

static char *
sftp_remote(const struct tx *t, const char *rel, const char *suffix)
{
	const char *p = t->d.path ? t->d.path : ".";
	size_t n = strlen(p);

	return tx_printf("%s%s%s%s", p, n > 0 && p[n - 1] == '/' ? "" : "/", rel,
	    suffix);
}

static int
sftp_quotable(const char *s)
{
	return strpbrk(s, "\"\\\n\r") == NULL;
}

static void
sftp_line(struct tx *t, int is_err, char *line)
{
	char *q;
	size_t idx;

	if (is_err) {
		keep_stderr(t, line);
		return;
	}
	if (strncmp(line, "sftp> ", 6) == 0) {
		char *cmd = line + 6;
		double now = wall();

		if (*cmd == '-')
			cmd++;
		/* The command before this one finished: batch mode stops
		 * at the first failure. */
		if (t->sftp_pending[0] != '\0' &&
		    find_rel(t, t->sftp_pending, &idx) != NULL) {
			t->files[idx].sent = 1;
			t->files[idx].end = now;
			t->done_before += t->files[idx].size;
			t->sftp_pending[0] = '\0';
		}
		q = strchr(cmd, '"');
		if (q == NULL)
			return;
		if (strncmp(cmd, "put ", 4) == 0 || strncmp(cmd, "reput ", 6) ==
		    0) {
			size_t k;

			for (k = 0; k < t->nfiles; k++) {
				size_t sl = strlen(t->files[k].src);

				if (strncmp(q + 1, t->files[k].src, sl) == 0 &&
				    q[1 + sl] == '"') {
					t->cur = k;
					t->files[k].start = now;
					double el = now - t->t0;
					double rate = el > 0 ?
					    t->done_before / el : -1;
					progress(t, t->total ? (double)
					    t->done_before / t->total : -1,
					    rate, rate > 0 ? (t->total -
					    t->done_before) / rate : -1);
					break;
				}
			}
		} else if (strncmp(cmd, "rename ", 7) == 0 && t->cur < t->nfiles)
			snprintf(t->sftp_pending, sizeof t->sftp_pending, "%s",
			    t->files[t->cur].rel);
		else if (strncmp(cmd, "ls ", 3) == 0) {
			/* ls -ln "PATH": remember which file it lists. */
			char *e = strrchr(q + 1, '"');

			if (e != NULL) {
				*e = '\0';
				snprintf(t->sftp_pending, sizeof
				    t->sftp_pending, "ls:%s", q + 1);
			}
		}
		return;
	}
	if (strncmp(t->sftp_pending, "ls:", 3) == 0 && line[0] == '-') {
		char perms[16], links[16], uid[32], gid[32];
		long long size;

		if (sscanf(line, "%15s %15s %31s %31s %lld", perms, links, uid,
		    gid, &size) == 5)
			json_object_set_new(t->listing, t->sftp_pending + 3,
			    json_integer(size));
	}
}

/* sftp in batch mode prints no progress, so the progress of the file in
 * hand is how far the sftp process has read it: the position of its
 * descriptor on that file, from /proc/PID/fdinfo (at most its request
 * window ahead of what the far side acknowledged). */
static void
sftp_tick(struct tx *t, pid_t pid)
{
	char dir[64], link[384], target[4096], info[384], line[256];
	const char *src;
	struct dirent *e;
	long long pos = -1;
	double now = wall(), el, rate, done;
	DIR *d;
	FILE *f;

	if (t->cur >= t->nfiles || t->files[t->cur].start == 0 ||
	    t->files[t->cur].sent)
		return;
	src = t->files[t->cur].src;
	snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)pid);
	if ((d = opendir(dir)) == NULL)
		return;
	while (pos < 0 && (e = readdir(d)) != NULL) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof link, "%s/%s", dir, e->d_name);
		n = readlink(link, target, sizeof target - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, src) != 0)
			continue;
		snprintf(info, sizeof info, "/proc/%ld/fdinfo/%s", (long)pid,
		    e->d_name);
		if ((f = fopen(info, "r")) == NULL)
			continue;
		while (fgets(line, sizeof line, f) != NULL)
			if (sscanf(line, "pos: %lld", &pos) == 1)
				break;
		fclose(f);
	}
	closedir(d);
	if (pos < 0)
		return;
	done = (double)t->done_before + (double)pos;
	el = now - t->t0;
	rate = el > 0 ? done / el : -1;
	progress(t, t->total ? done / t->total : -1, rate,
	    rate > 0 ? (t->total - done) / rate : -1);
}

static char *
sftp_port_arg(const struct tx *t)
{
	return tx_strdup(t->d.port ? t->d.port : "22");
}

static int
sftp_batch(struct tx *t, const char *batch, char *msg, size_t len)
{
	char *port = sftp_port_arg(t);
	char *kh = tx_printf("UserKnownHostsFile=%s", t->d.known_hosts);
	char *target = tx_printf("%s%s%s", t->d.user ? t->d.user : "",
	    t->d.user ? "@" : "", t->d.host);
	/* sftp -l takes Kbit/s. */
	char *limit = tx_printf("%ld", t->d.bwlimit > 0 ? t->d.bwlimit * 8 :
	    0);
	char *argv[] = { "sftp", "-b", "-", "-P", port, "-l", limit,
		"-i", (char *)t->d.key,
		"-F", "/dev/null", "-o", kh, "-o", "StrictHostKeyChecking=yes",
		"-o", "IdentitiesOnly=yes", "-o", "PasswordAuthentication=no",
		"-o", "KbdInteractiveAuthentication=no", "-o",
		"ConnectTimeout=15", "-o", "ServerAliveInterval=15", target,
		NULL };
	int status;

	t->sftp_pending[0] = '\0';
	if (t->d.bwlimit <= 0)
		memmove(&argv[5], &argv[7], sizeof argv - 7 * sizeof argv[0]);
	status = spawn_run(t, argv, batch, sftp_line, sftp_tick, msg, len);
	free(limit);
	free(port);
	free(kh);
	free(target);
	if (status < 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		size_t idx;

		if (t->sftp_pending[0] != '\0' &&
		    find_rel(t, t->sftp_pending, &idx) != NULL) {
			t->files[idx].sent = 1;
			t->files[idx].end = wall();
		}
		return 0;
	}
	if (t->host->cancelled(t->job))
		return 2;
	if (WIFSIGNALED(status)) {
		snprintf(msg, len, "sftp was killed by signal %d during the "
		    "transfer", WTERMSIG(status));
		return 1;
	}
	if (WEXITSTATUS(status) == 255 || said(t, "Connection") ||
	    said(t, "Permission denied") || said(t, "Host key") ||
	    said(t, "host key"))
		return ssh_sentence(t, msg, len) ? 1 : -1;
	snprintf(msg, len, "sftp failed on %s: %s", t->d.host,
	    t->stderr_tail ? t->stderr_tail : "no detail");
	msg[strcspn(msg, "\n")] = '\0';
	return 1;
}

static int
sftp_list(struct tx *t, const char *suffix, char *msg, size_t len)
{
	size_t i, cap = 256, used = 0;
	char *batch = malloc(cap);

	batch[0] = '\0';
	json_decref(t->listing);
	t->listing = json_object();
	for (i = 0; i < t->nfiles; i++) {
		char *r = sftp_remote(t, t->files[i].rel, suffix);
		char *line = tx_printf("-ls -ln \"%s\"\n", r);
		size_t n = strlen(line);

		while (used + n + 1 > cap)
			batch = realloc(batch, cap *= 2);
		memcpy(batch + used, line, n + 1);
		used += n;
		free(line);
		free(r);
	}
	i = (size_t)sftp_batch(t, batch, msg, len);
	free(batch);
	return (int)i;
}

static void
append(char **buf, size_t *used, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	while (*used + n + 1 > *cap)
		*buf = realloc(*buf, *cap *= 2);
	if (*buf == NULL)
		abort();
	memcpy(*buf + *used, s, n + 1);
	*used += n;
}

static int
run_sftp(struct tx *t, int attempt, char *msg, size_t len)
{
	size_t i, cap = 1024, used = 0;
	char *batch, *line;
	int rc;

	(void)attempt;
	for (i = 0; i < t->nfiles; i++) {
		if (!sftp_quotable(t->files[i].rel) ||
		    !sftp_quotable(t->files[i].src) ||
		    (t->d.path && !sftp_quotable(t->d.path))) {
			snprintf(msg, len, "%s has a quote, backslash or line "
			    "break in its name, which the sftp batch cannot "
			    "carry; rename it or use an rsync destination",
			    t->files[i].src);
			return -1;
		}
	}
	/* What a cut transfer left: NAME.part to append to. */
	if ((rc = sftp_list(t, ".part", msg, len)) != 0)
		return rc;
	batch = malloc(cap);
	batch[0] = '\0';
	{
		const char *p = t->d.path ? t->d.path : ".";
		char *dir = tx_strdup(p), *s;

		for (s = dir + 1; *s; s++) {
			if (*s == '/') {
				*s = '\0';
				line = tx_printf("-mkdir \"%s\"\n", dir);
				append(&batch, &used, &cap, line);
				free(line);
				*s = '/';
			}
		}
		line = tx_printf("-mkdir \"%s\"\n", dir);
		append(&batch, &used, &cap, line);
		free(line);
		free(dir);
	}
	for (i = 0; i < t->nfiles; i++) {
		struct tx_file *f = &t->files[i];
		char *rel = tx_strdup(f->rel), *s, *part, *fin, *sub;
		json_t *have;

		for (s = rel; (s = strchr(s, '/')) != NULL; s++) {
			*s = '\0';
			sub = sftp_remote(t, rel, "");
			line = tx_printf("-mkdir \"%s\"\n", sub);
			append(&batch, &used, &cap, line);
			free(line);
			free(sub);
			*s = '/';
		}
		free(rel);
		part = sftp_remote(t, f->rel, ".part");
		fin = sftp_remote(t, f->rel, "");
		have = json_object_get(t->listing, part);
		if (have != NULL && json_integer_value(have) > 0 &&
		    (uint64_t)json_integer_value(have) <= f->size) {
			tx_log(t, "resuming %s at byte %lld", f->rel,
			    (long long)json_integer_value(have));
			line = tx_printf("reput \"%s\" \"%s\"\n", f->src, part);
		} else
			line = tx_printf("put \"%s\" \"%s\"\n", f->src, part);
		append(&batch, &used, &cap, line);
		free(line);
		line = tx_printf("rename \"%s\" \"%s\"\n", part, fin);
		append(&batch, &used, &cap, line);
		free(line);
		free(part);
		free(fin);
	}
	append(&batch, &used, &cap, "bye\n");
	t->done_before = 0;
	for (i = 0; i < t->nfiles; i++)
		t->files[i].sent = 0;
	rc = sftp_batch(t, batch, msg, len);
	free(batch);
	return rc;
}

static int
verify_sftp(struct tx *t, char *msg, size_t len)
{
	size_t i;
	int rc;

	if ((rc = sftp_list(t, "", msg, len)) != 0) {
		char why[600];

		snprintf(why, sizeof why, "%s", msg);
		snprintf(msg, len, "the size listing of the far side failed: "
		    "%s", why);
		return -1;
	}
	for (i = 0; i < t->nfiles; i++) {
		struct tx_file *f = &t->files[i];
		char *r = sftp_remote(t, f->rel, "");
		json_t *v = json_object_get(t->listing, r);

		free(r);
		if (v == NULL || (uint64_t)json_integer_value(v) != f->size) {
			f->verified = -1;
			free(f->problem);
			f->problem = v == NULL ? tx_printf("missing at %s after "
			    "the transfer", t->d.name) : tx_printf("%lld bytes "
			    "at %s, %llu here", (long long)json_integer_value(v),
			    t->d.name, (unsigned long long)f->size);
		} else
			f->verified = 1;
	}
	return 0;
}

/* --- rclone (object storage; progress from its JSON log) --- */

/* The sources as rclone takes them: each top-level file or folder once,
 * with the part of rel that names it. */
struct rc_source {
	char *src;		/* file or folder here */
	char *top;		/* its name at the destination */
	int is_dir;
	uint64_t bytes;
};

static size_t
rc_sources(struct tx *t, struct rc_source **out)
{
	struct rc_source *s = NULL;
	size_t n = 0, i, k;

	for (i = 0; i < t->nfiles; i++) {
		const char *rel = t->files[i].rel;
		size_t top = strcspn(rel, "/");

		for (k = 0; k < n; k++)
			if (strlen(s[k].top) == top &&
			    strncmp(s[k].top, rel, top) == 0)
				break;
		if (k == n) {
			s = realloc(s, (n + 1) * sizeof *s);
			if (s == NULL)
				abort();
			s[n].src = strndup(t->files[i].src,
			    strlen(t->files[i].src) - (strlen(rel) - top));
			s[n].top = strndup(rel, top);
			s[n].is_dir = rel[top] == '/';
			s[n].bytes = 0;
			n++;
		}
		s[k].bytes += t->files[i].size;
	}
	*out = s;
	return n;
}

static void
rc_sources_free(struct rc_source *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].src);
		free(s[i].top);
	}
	free(s);
}

static const char *rc_prefix = "";	/* the source in hand, for objects */

static void
rclone_line(struct tx *t, int is_err, char *line)
{
	json_t *o = json_loads(line, 0, NULL), *st;
	const char *lvl, *msg, *obj;
	struct tx_file *f;
	size_t idx;

	(void)is_err;
	if (o == NULL) {
		keep_stderr(t, line);
		return;
	}
	lvl = json_string_value(json_object_get(o, "level"));
	msg = json_string_value(json_object_get(o, "msg"));
	obj = json_string_value(json_object_get(o, "object"));
	if ((st = json_object_get(o, "stats")) != NULL && t->sftp_phase == 0) {
		double bytes = json_number_value(json_object_get(st, "bytes"));
		double speed = json_number_value(json_object_get(st, "speed"));
		json_t *tr = json_array_get(json_object_get(st, "transferring"),
		    0);
		double done = (double)t->done_before + bytes;

		if (tr != NULL && json_string_value(json_object_get(tr,
		    "name")) != NULL) {
			char *rel = tx_printf("%s%s", rc_prefix,
			    json_string_value(json_object_get(tr, "name")));

			if ((f = find_rel(t, rel, &idx)) != NULL) {
				t->cur = idx;
				if (f->start == 0)
					f->start = wall();
			}
			free(rel);
		}
		progress(t, t->total ? done / t->total : -1,
		    speed > 0 ? speed : -1, speed > 0 ? (t->total - done) /
		    speed : -1);
	} else if (obj != NULL && msg != NULL) {
		char *rel = tx_printf("%s%s", rc_prefix, obj);

		f = find_rel(t, rel, NULL);
		free(rel);
		if (f != NULL && t->sftp_phase == 0 &&
		    strncmp(msg, "Copied", 6) == 0) {
			if (f->start == 0)
				f->start = wall();
			f->end = wall();
		} else if (f != NULL && t->sftp_phase == 1 && lvl != NULL &&
		    strcmp(lvl, "error") == 0) {
			f->verified = -1;
			free(f->problem);
			f->problem = tx_printf("%s at %s after the transfer "
			    "(rclone check)", msg, t->d.name);
		}
	}
	if (lvl != NULL && strcmp(lvl, "error") == 0 && msg != NULL)
		keep_stderr(t, msg);
	json_decref(o);
}

/* rclone's exit status (rclone(1) "Exit Code") as one sentence; 1 when
 * another attempt may succeed. */
static int
rclone_sentence(const struct tx *t, int status, char *msg, size_t len)
{
	const char *last = t->stderr_tail ? t->stderr_tail : "no detail";
	char detail[400];

	snprintf(detail, sizeof detail, "%s", last);
	detail[strcspn(detail, "\n")] = '\0';
	if (WIFSIGNALED(status)) {
		snprintf(msg, len, "rclone was killed by signal %d during the "
		    "transfer", WTERMSIG(status));
		return 1;
	}
	switch (WEXITSTATUS(status)) {
	case 1:
		snprintf(msg, len, "rclone refused its command line (exit 1): "
		    "%s", detail);
		return 0;
	case 3:
		snprintf(msg, len, "rclone found no such folder at %s (exit 3): "
		    "%s", t->d.name, detail);
		return 0;
	case 4:
		snprintf(msg, len, "rclone found no such file (exit 4): %s",
		    detail);
		return 0;
	case 5:
		snprintf(msg, len, "rclone hit a temporary error (exit 5): %s",
		    detail);
		return 1;
	case 6:
		snprintf(msg, len, "rclone hit errors it did not retry (exit "
		    "6): %s", detail);
		return 1;
	case 7:
		snprintf(msg, len, "rclone hit a fatal error (exit 7; "
		    "credentials or quota?): %s", detail);
		return 0;
	case 8:
		snprintf(msg, len, "rclone reached its transfer limit (exit 8)");
		return 0;
	default:
		snprintf(msg, len, "rclone failed (exit %d): %s",
		    WEXITSTATUS(status), detail);
		return 1;
	}
}

static int
rclone_run(struct tx *t, const char *verb, const char *src, const char *dst,
    const char *include, int check, char *msg, size_t len)
{
	char bw[32], inc[4200];
	char *argv[24];
	size_t n = 0;

	argv[n++] = "rclone";
	argv[n++] = (char *)verb;
	argv[n++] = (char *)src;
	argv[n++] = (char *)dst;
	if (t->d.rclone_config != NULL) {
		argv[n++] = "--config";
		argv[n++] = (char *)t->d.rclone_config;
	}
	argv[n++] = "--use-json-log";
	argv[n++] = "-v";
	if (!check) {
		argv[n++] = "--stats";
		argv[n++] = "1s";
		argv[n++] = "--stats-log-level";
		argv[n++] = "NOTICE";
		argv[n++] = "--retries";
		argv[n++] = "1";
		if (t->d.bwlimit > 0) {
			snprintf(bw, sizeof bw, "--bwlimit=%ldK", t->d.bwlimit);
			argv[n++] = bw;
		}
	} else {
		argv[n++] = "--one-way";
		if (strcmp(t->d.verify, "size") == 0)
			argv[n++] = "--size-only";
	}
	if (include != NULL) {
		snprintf(inc, sizeof inc, "--include=/%s", include);
		argv[n++] = inc;
	}
	argv[n] = NULL;
	return spawn_run(t, argv, NULL, rclone_line, NULL, msg, len);
}

static int
run_rclone(struct tx *t, int verify, char *msg, size_t len)
{
	struct rc_source *s;
	size_t n = rc_sources(t, &s), i, k;
	const char *base = t->d.path ? t->d.path : "";
	size_t bl = strlen(base);
	int rc = 0, status;

	t->done_before = 0;
	t->sftp_phase = verify;
	for (i = 0; i < n && rc == 0; i++) {
		char *dst, *prefix, *dir = NULL;

		if (strpbrk(s[i].top, "*?[]{}\\") != NULL) {
			snprintf(msg, len, "%s has a glob character in its name, "
			    "which rclone's filters would read as a pattern; "
			    "rename it or use an rsync destination", s[i].src);
			rc = -1;
			break;
		}
		prefix = s[i].is_dir ? tx_printf("%s/", s[i].top) : tx_strdup("");
		rc_prefix = prefix;
		if (s[i].is_dir)
			dst = tx_printf("%s%s%s", base, bl && base[bl - 1] != '/' &&
			    base[bl - 1] != ':' ? "/" : "", s[i].top);
		else
			dst = tx_strdup(base);
		if (verify) {
			if (!s[i].is_dir) {
				dir = tx_strdup(s[i].src);
				status = rclone_run(t, "check", dirname(dir), dst,
				    s[i].top, 1, msg, len);
			} else
				status = rclone_run(t, "check", s[i].src, dst,
				    NULL, 1, msg, len);
			/* exit 1 with differences: the files say which. */
			if (status >= 0 && WIFEXITED(status) &&
			    WEXITSTATUS(status) > 1)
				status = -2;
		} else if (s[i].is_dir)
			status = rclone_run(t, "copy", s[i].src, dst, NULL, 0,
			    msg, len);
		else {
			char *full = tx_printf("%s%s%s", base, bl &&
			    base[bl - 1] != '/' && base[bl - 1] != ':' ? "/" :
			    "", s[i].top);

			status = rclone_run(t, "copyto", s[i].src, full, NULL,
			    0, msg, len);
			free(full);
		}
		free(dir);
		free(dst);
		free(prefix);
		rc_prefix = "";
		if (status == -1) {
			rc = -1;
		} else if (status == -2 || (!verify && !(WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0))) {
			if (t->host->cancelled(t->job))
				rc = 2;
			else if (verify) {
				snprintf(msg, len, "the rclone check of %s "
				    "failed: %s", t->d.name, t->stderr_tail ?
				    t->stderr_tail : "no detail");
				msg[strcspn(msg, "\n")] = '\0';
				rc = -1;
			} else
				rc = rclone_sentence(t, status, msg, len) ? 1 :
				    -1;
		} else if (!verify) {
			double now = wall();

			for (k = 0; k < t->nfiles; k++) {
				struct tx_file *f = &t->files[k];

				if (strncmp(f->rel, s[i].top,
				    strlen(s[i].top)) != 0 ||
				    (f->rel[strlen(s[i].top)] != '/' &&
				    f->rel[strlen(s[i].top)] != '\0'))
					continue;
				f->sent = 1;
				if (f->start == 0)
					f->start = now;
				if (f->end == 0)
					f->end = now;
			}
			t->done_before += s[i].bytes;
		}
	}
	t->sftp_phase = 0;
	if (verify && rc == 0)
		for (k = 0; k < t->nfiles; k++)
			if (t->files[k].verified == 0)
				t->files[k].verified = 1;
	rc_sources_free(s, n);
	return rc;
}

/* --- local / NAS: the shared verified copy --- */

struct local_copy {
	struct tx *t;
	uint64_t done;		/* bytes of the file in hand */
	double last;
};

static int
local_cancelled(void *arg)
{
	struct local_copy *c = arg;

	return c->t->host->cancelled(c->t->job);
}

static void
local_progress(void *arg, uint64_t bytes, const char *phase, size_t dest)
{
	struct local_copy *c = arg;

	(void)dest;
	if (strcmp(phase, "copy") != 0)
		return;
	c->done += bytes;
	if (wall() - c->last > 0.2) {
		hash_progress(c->t, c->done);
		c->last = wall();
	}
}

static void
sync_dir(const char *dir)
{
	int fd;

	if (*dir == '\0')
		return;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Files up to this size are delivered in batches (vcopy_batches, as
 * ingest copies): each is written to its hidden .part, one syncfs makes
 * the whole batch durable in the background while the next is copied,
 * the read-backs are asked for together, and each is renamed into place.
 * Larger files go one by one with their own fsync. */
#define TX_BATCH_FILE (4u << 20)
#define TX_BATCH_FILES 256
#define TX_BATCH_BYTES (64u << 20)
#define TX_READAHEAD 256
#define TX_READAHEAD_BYTES (64u << 20)

/* File i for the read-ahead thread (vcopy_ahead): small files only. */
static const char *
ahead_path(void *arg, size_t i, uint64_t *size)
{
	const struct tx *t = arg;

	*size = t->files[i].size;
	return t->files[i].size <= TX_BATCH_FILE ? t->files[i].src : NULL;
}

/* What run_local() shares with the batches' calls (vcopy_batch_calls):
 * the folder whose renames await an fsync, and where a failure's message
 * goes. Their stop codes are run_local()'s (1, -1 or 2; never 0). */
struct local_run {
	struct tx *t;
	char lastdir[4096];
	char *msg;
	size_t len;
};

/* One file verified and in place at dst: fsync its folder once the files
 * move on to another folder, and record it. */
static void
local_done(struct local_run *r, size_t i, const char *dst,
    const struct vcopy_result *res)
{
	struct tx *t = r->t;
	struct tx_file *f = &t->files[i];

	if (!vcopy_in_folder(dst, r->lastdir)) {
		sync_dir(r->lastdir);
		vcopy_keep_folder(r->lastdir, sizeof r->lastdir, dst);
	}
	f->h = res->hashes;
	f->end = wall();
	f->sent = 1;
	f->verified = 1;
	if (res->status == VCOPY_IDENTICAL)
		tx_log(t, "%s was at %s already with the same bytes", f->rel,
		    t->d.name);
}

/* What a failed vcopy means for the job: 2 cancelled, -1 refused (another
 * file is in the way), 1 worth another attempt (an I/O error). */
static int
local_failed(const struct vcopy_result *res, char *msg, size_t len)
{
	snprintf(msg, len, "%s", res->err);
	return res->status == VCOPY_CANCELLED ? 2 :
	    res->status == VCOPY_CONFLICT ? -1 : 1;
}

static const char *
staged_src(void *arg, size_t i)
{
	const struct local_run *r = arg;

	return r->t->files[i].src;
}

static void
staged_begin(void *arg, size_t i)
{
	struct local_run *r = arg;

	r->t->cur = i;
}

static int
staged_done(void *arg, size_t i, const char *const *dest,
    struct vcopy_result *res)
{
	local_done(arg, i, dest[0], res);
	return 0;
}

static int
staged_failed(void *arg, size_t i, struct vcopy_result *res)
{
	struct local_run *r = arg;

	return local_failed(res, r->msg, r->len);
}

static int
staged_sync_failed(void *arg, const char *err, size_t n)
{
	struct local_run *r = arg;

	snprintf(r->msg, r->len, "%s; none of the last %zu files was "
	    "delivered", err, n);
	return 1;
}

/* Each file through the shared verified copy (src/vcopy.c): read once
 * with xxh128 and md5 inline, written to a hidden .part, made durable,
 * read back from the storage and compared, renamed into place, never
 * over another file. Small files go in batches (vcopy_batches). A
 * file already there with the same bytes counts as delivered (a repeated
 * delivery); one with other bytes is refused and left alone. Returns 0,
 * 1 (worth another attempt: an I/O error), -1 (refused: the folder is
 * missing or outside the volumes, another file is in the way) or 2
 * (cancelled). Nothing is recorded as delivered until all is done. */
static int
run_local(struct tx *t, char *msg, size_t len)
{
	struct vcopy_opts o = { .algos = t->algos, .verify = VCOPY_VERIFY_DEST,
		.cancelled = local_cancelled, .progress = local_progress,
		.defer_dirsync = 1 };
	struct vcopy_result *res = calloc(1, sizeof *res);
	struct local_copy c = { .t = t };
	struct local_run r = { .t = t, .msg = msg, .len = len };
	const struct vcopy_batch_calls calls = { .src = staged_src,
	    .begin = staged_begin, .done = staged_done,
	    .failed = staged_failed, .sync_failed = staged_sync_failed,
	    .arg = &r };
	struct vcopy_batches *batches = NULL;
	char lastmk[4096] = "";
	const char *root[1] = { t->d.path };
	struct vcopy_ahead *ahead = NULL;
	struct stat st;
	size_t i;
	int rc = -1;

	if (res == NULL)
		abort();
	o.arg = &c;
	if (t->d.path == NULL || stat(t->d.path, &st) < 0 ||
	    !S_ISDIR(st.st_mode)) {
		snprintf(msg, len, "the destination folder %s of %s is not "
		    "there (is the NAS mounted?); nothing was copied",
		    t->d.path ? t->d.path : "(none)", t->d.name);
		goto out;
	}
	if (!t->host->path_allowed(t->job, t->d.path, 1)) {
		snprintf(msg, len, "%s is not inside a configured volume, so "
		    "mcr may not write there; add it as a [volume] with "
		    "role = delivery", t->d.path);
		goto out;
	}
	if ((batches = vcopy_batches_new(root, 1, 1, TX_BATCH_FILES,
	    TX_BATCH_BYTES, &calls, msg, len)) == NULL) {
		rc = 1;
		goto out;
	}
	t->done_before = 0;
	ahead = vcopy_ahead_start(ahead_path, t, t->nfiles, TX_READAHEAD,
	    TX_READAHEAD_BYTES);
	for (i = 0; i < t->nfiles; i++) {
		struct tx_file *f = &t->files[i];
		int small = f->size <= TX_BATCH_FILE;
		char *dst;
		double t0;

		/* A full batch goes to its sync; a large file waits for
		 * every batch before it to be in place. */
		if ((rc = !small ? vcopy_batches_drain(batches, &o) :
		    !vcopy_batches_fits(batches, f->size) ?
		    vcopy_batches_ship(batches, &o) : 0) != 0)
			goto out;
		rc = -1;
		vcopy_ahead_at(ahead, i);
		dst = sftp_remote(t, f->rel, "");
		t->cur = i;
		c.done = 0;
		f->start = t0 = wall();
		if (!vcopy_in_folder(dst, lastmk)) {
			if (vcopy_mkdirs(dst, 0, msg, len) < 0) {
				free(dst);
				goto out;
			}
			if (!t->host->path_allowed(t->job, dst, 1)) {
				snprintf(msg, len, "%s lies outside the "
				    "configured volumes (a folder on the way is "
				    "a link?); nothing was written there", dst);
				free(dst);
				goto out;
			}
			vcopy_keep_folder(lastmk, sizeof lastmk, dst);
		}
		o.stage = small;
		{
			const char *const dests[1] = { dst };

			if (vcopy_file(f->src, dests, 1, &o, res) < 0) {
				free(dst);
				rc = local_failed(res, msg, len);
				goto out;
			}
			/* The hashes are computed in the copy's own read. */
			t->hash_seconds += wall() - t0;
			t->done_before += f->size;
			if (res->status == VCOPY_STAGED)
				vcopy_batches_add(batches, i, dests, res);
			else
				local_done(&r, i, dst, res);
		}
		free(dst);
	}
	rc = vcopy_batches_drain(batches, &o);
out:
	vcopy_ahead_stop(ahead);
	vcopy_batches_free(batches);	/* after a sync still running */
	sync_dir(r.lastdir);
	free(res);
	return rc;
}

/* --- transfer.deliver --- */

static const char *
param_or(struct tx *t, const char *name, const char *def)
{
	const char *v = t->host->param(t->job, name);

	return v != NULL && *v != '\0' ? v : def;
}

static const char *
hex_or_null(const struct vcopy_hashes *h, int algo)
{
	return (h->set & VCOPY_ALGO_BIT(algo)) ? h->hex[algo] : NULL;
}

static void
record_files(struct tx *t, const char *direction)
{
	size_t i;

	for (i = 0; i < t->nfiles; i++) {
		struct tx_file *f = &t->files[i];
		double secs = f->end > f->start && f->start > 0 ?
		    f->end - f->start : 0;
		const char *status = f->verified < 0 ? "failed" :
		    f->sent ? "delivered" : "not sent";
		json_t *o;

		if (strcmp(direction, "in") == 0)
			status = f->problem != NULL ? "failed" : "verified";
		o = json_pack("{s:s, s:s, s:I, s:s?, s:s?, s:s?, s:s, s:s?}",
		    "rel", f->rel, "src", f->src, "size", (json_int_t)f->size,
		    "xxh128", hex_or_null(&f->h, VCOPY_XXH128),
		    "md5", hex_or_null(&f->h, VCOPY_MD5),
		    "xxh64", hex_or_null(&f->h, VCOPY_XXH64),
		    "status", status, "problem", f->problem);
		if (f->start > 0)
			json_object_set_new(o, "start",
			    json_integer((json_int_t)(f->start * 1e6)));
		if (f->end > 0 && f->sent)
			json_object_set_new(o, "end",
			    json_integer((json_int_t)(f->end * 1e6)));
		if (secs > 0.001)
			json_object_set_new(o, "rate", json_real(f->size /
			    secs));
		json_object_set_new(o, "verified", json_integer(f->verified));
		tx_record(t, "delivery.file", o);
	}
}

static void
record_delivery(struct tx *t, const char *direction, const char *status,
    const char *verified_by, const char *message, const char *manifest)
{
	json_t *o = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:I, s:I, "
	    "s:s?, s:s?, s:s?, s:s?}",
	    "direction", direction, "destination", t->d.name,
	    "engine", t->d.type, "target", t->d.host ? t->d.host : t->d.path,
	    "path", t->d.path, "status", status,
	    "files", (json_int_t)t->nfiles, "bytes", (json_int_t)t->total,
	    "verified_by", verified_by, "message", message,
	    "manifest", manifest, "note", t->host->param(t->job, "note"));

	json_object_set_new(o, "hash_seconds", json_real(t->hash_seconds));
	json_object_set_new(o, "seconds", json_real(wall() - (t->started > 0 ?
	    t->started : t->t0)));
	if (t->host->param(t->job, "client") != NULL)
		json_object_set_new(o, "client",
		    json_string(t->host->param(t->job, "client")));
	tx_record(t, "delivery", o);
}

static void
tx_free(struct tx *t)
{
	size_t i;

	for (i = 0; i < t->nfiles; i++) {
		free(t->files[i].src);
		free(t->files[i].rel);
		free(t->files[i].problem);
	}
	free(t->files);
	free(t->stderr_tail);
	json_decref(t->listing);
}

static int
check_secret_file(const char *what, const char *path, char *msg, size_t len)
{
	struct stat st;

	if (path == NULL) {
		snprintf(msg, len, "the destination names no %s", what);
		return -1;
	}
	if (stat(path, &st) < 0) {
		snprintf(msg, len, "cannot read the %s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
deliver_fail(struct tx *t, const char *msg, int rc)
{
	t->host->fail(t->job, msg);
	t->host->event(t->job, "error", "delivery.failed", t->d.name, msg);
	return rc;
}

/* Removes the staged manifest: root/ascmhl/ and what is in it, root, and
 * the temporary folder above it. */
static void
unstage(const char *tmp, const char *root)
{
	char dir[4200], path[8400];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/%s", root, MHL_FOLDER);
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.' && (e->d_name[1] == '\0' ||
			    (e->d_name[1] == '.' && e->d_name[2] == '\0')))
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	rmdir(root);
	rmdir(tmp);
}

/* Adds what was sent to an ASC MHL generation and writes it into root
 * (root/ascmhl/, created or continued). Returns 0 with the generation's
 * file name in name, or -1 with err. */
static int
write_generation(struct tx *t, const char *root, char *name, size_t namelen,
    char *err, size_t errlen)
{
	struct mhl_gen *g = mhl_gen_new("transfer");
	char path[4096];
	struct stat st;
	size_t i;
	int rc;

	for (i = 0; i < t->nfiles; i++) {
		const struct tx_file *f = &t->files[i];
		int64_t mtime = 0;

		if (stat(f->src, &st) == 0)
			mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 +
			    st.st_mtim.tv_nsec;
		mhl_gen_add(g, f->rel, f->size, mtime, &f->h, "original",
		    (int64_t)((f->end > 0 ? f->end : wall()) * 1e6));
	}
	rc = mhl_gen_write(g, root, path, sizeof path, err, errlen);
	mhl_gen_free(g);
	if (rc == 0) {
		const char *slash = strrchr(path, '/');

		snprintf(name, namelen, "%s/%s", MHL_FOLDER, slash != NULL ?
		    slash + 1 : path);
	}
	return rc;
}

static int
run_engine(struct tx *t, char *msg, size_t len)
{
	if (strcmp(t->d.type, "rsync") == 0)
		return run_rsync(t, 0, msg, len);
	if (strcmp(t->d.type, "sftp") == 0)
		return run_sftp(t, 0, msg, len);
	if (strcmp(t->d.type, "rclone") == 0)
		return run_rclone(t, 0, msg, len);
	return run_local(t, msg, len);
}

static void
quiet_line(struct tx *t, int is_err, char *line)
{
	if (is_err)
		keep_stderr(t, line);
}

/* Copies the far side's ascmhl/ (when it has one) into root/ascmhl/, so
 * that the new generation continues its history instead of starting a
 * chain that would hide the earlier deliveries' generations. A far side
 * without one is not an error; the engines say so in different ways, so
 * the result is only logged. */
static void
fetch_history(struct tx *t, const char *root)
{
	char msg[ERRLEN], *dst = tx_printf("%s/%s/", root, MHL_FOLDER);
	int status = -1;

	if (mkdir(dst, 0700) < 0) {
		free(dst);
		return;
	}
	if (strcmp(t->d.type, "rsync") == 0) {
		char *ssh = ssh_command(t), *remote = remote_spec(t);
		char *src = tx_printf("%s%s/", remote, MHL_FOLDER);
		char *argv[] = { "rsync", "-a", "--protect-args", "-e", ssh,
			src, dst, NULL };

		status = spawn_run(t, argv, NULL, quiet_line, NULL, msg,
		    sizeof msg);
		free(ssh);
		free(remote);
		free(src);
	} else if (strcmp(t->d.type, "sftp") == 0 &&
	    sftp_quotable(root)) {
		char *far = sftp_remote(t, MHL_FOLDER, "");
		char *batch = tx_printf("-get -r \"%s\" \"%s\"\n", far, root);

		if (sftp_quotable(far)) {
			struct tx m = *t;

			m.files = NULL;
			m.nfiles = 0;
			m.stderr_tail = NULL;
			m.listing = NULL;
			status = sftp_batch(&m, batch, msg, sizeof msg) == 0 ?
			    0 : 1;
			free(m.stderr_tail);
		}
		free(far);
		free(batch);
	} else if (strcmp(t->d.type, "rclone") == 0) {
		const char *base = t->d.path ? t->d.path : "";
		size_t bl = strlen(base);
		char *src = tx_printf("%s%s%s", base, bl && base[bl - 1] != '/' &&
		    base[bl - 1] != ':' ? "/" : "", MHL_FOLDER);

		t->sftp_phase = 2;	/* no progress from this copy */
		status = rclone_run(t, "copy", src, dst, NULL, 0, msg,
		    sizeof msg);
		t->sftp_phase = 0;
		free(src);
	}
	tx_log(t, "the far side's ASC MHL history %s", status == 0 ?
	    "was fetched; the new generation continues it" : "was not "
	    "there (or could not be fetched); a new one is started");
	free(dst);
}

/* The manifest of what was sent, sent after it: an ASC MHL v2 generation.
 * A local destination gets it written in place (continuing the history
 * the folder has); a remote one gets ascmhl/ staged here and sent by the
 * same engine. Returns 0 with the label for the receipt in *label, or
 * the engine's code with msg. */
static int
send_manifest(struct tx *t, char **label, char *msg, size_t len)
{
	char tmpl[] = "/tmp/mcr-manifest-XXXXXX", root[4096], name[4200];
	char err[ERRLEN + 4200], *base, *copy;
	struct tx m = *t;
	struct tx_file mf[2];
	const char *files[2] = { NULL, MHL_CHAIN };
	struct stat st;
	size_t i;
	int erc;

	if (strcmp(t->d.type, "local") == 0) {
		if (write_generation(t, t->d.path, name, sizeof name, msg,
		    len) < 0)
			return 1;
		*label = tx_strdup(name);
		return 0;
	}
	if (mkdtemp(tmpl) == NULL) {
		snprintf(msg, len, "cannot make a folder for the manifest in "
		    "/tmp: %s", strerror(errno));
		return 1;
	}
	/* The generation is named after the folder it describes. */
	copy = tx_strdup(t->d.path != NULL && *t->d.path ? t->d.path : t->d.name);
	while (strlen(copy) > 1 && (copy[strlen(copy) - 1] == '/' ||
	    copy[strlen(copy) - 1] == ':'))
		copy[strlen(copy) - 1] = '\0';
	base = strrchr(copy, '/') ? strrchr(copy, '/') + 1 :
	    strrchr(copy, ':') ? strrchr(copy, ':') + 1 : copy;
	snprintf(root, sizeof root, "%s/%s", tmpl, *base && strcmp(base,
	    ".") != 0 ? base : "delivery");
	free(copy);
	if (mkdir(root, 0700) < 0)
		snprintf(err, sizeof err, "cannot make %s: %s", root,
		    strerror(errno));
	else {
		fetch_history(t, root);
		if (write_generation(t, root, name, sizeof name, err,
		    sizeof err) == 0)
			err[0] = '\0';
	}
	if (err[0] != '\0') {
		snprintf(msg, len, "cannot write the manifest: %s", err);
		unstage(tmpl, root);
		return 1;
	}
	files[0] = strrchr(name, '/') + 1;
	memset(mf, 0, sizeof mf);
	m.files = mf;
	m.nfiles = 2;
	m.total = 0;
	m.stderr_tail = NULL;
	m.listing = NULL;	/* the engine's own; t's stays t's */
	for (i = 0; i < 2; i++) {
		mf[i].src = tx_printf("%s/%s/%s", root, MHL_FOLDER, files[i]);
		mf[i].rel = tx_printf("%s/%s", MHL_FOLDER, files[i]);
		if (stat(mf[i].src, &st) == 0)
			mf[i].size = (uint64_t)st.st_size;
		m.total += mf[i].size;
	}
	erc = run_engine(&m, msg, len);
	json_decref(m.listing);
	for (i = 0; i < 2; i++) {
		free(mf[i].src);
		free(mf[i].rel);
	}
	free(t->stderr_tail);
	t->stderr_tail = m.stderr_tail;
	unstage(tmpl, root);
	if (erc == 0)
		*label = tx_strdup(name);
	return erc;
}

static int
deliver(struct mcr_job *job, const struct mcr_host *host)
{
	struct tx t = { .job = job, .host = host };
	char msg[ERRLEN + 64], err[ERRLEN];
	char *manifest_label = NULL;
	const char *paths = host->param(job, "paths");
	const char *verified_by = "none";
	json_t *arr = NULL, *v, *res;
	int rc = MCR_JOB_FAILED, attempt, erc = -1, manifest;
	size_t i, failed = 0;

	t.started = t.t0 = wall();
	t.d.name = param_or(&t, "destination", "(unnamed)");
	t.d.type = param_or(&t, "type", "rsync");
	t.d.path = host->param(job, "path");
	t.d.host = host->param(job, "host");
	t.d.port = host->param(job, "port");
	t.d.user = host->param(job, "user");
	t.d.key = host->param(job, "key");
	t.d.known_hosts = host->param(job, "known_hosts");
	t.d.window = host->param(job, "window");
	t.d.rclone_config = host->param(job, "rclone_config");
	t.d.bwlimit = atol(param_or(&t, "bwlimit", "0"));
	t.retries = atoi(param_or(&t, "retries", "3"));
	t.backoff_s = atoi(param_or(&t, "backoff", "5"));
	manifest = atoi(param_or(&t, "manifest", "0"));
	t.d.verify = param_or(&t, "verify", strcmp(t.d.type, "sftp") == 0 ?
	    "size" : "checksum");
	if (vcopy_algos_parse(param_or(&t, "hash", "xxh128"), &t.algos, msg,
	    sizeof msg) < 0 || (t.algos & ~TX_ALGOS_ALLOWED) != 0) {
		if ((t.algos & ~TX_ALGOS_ALLOWED) != 0)
			snprintf(msg, sizeof msg, "hash=%s: a receipt lists "
			    "xxh128, md5 and xxh64", param_or(&t, "hash", ""));
		return deliver_fail(&t, msg, MCR_JOB_REFUSED);
	}
	t.algos |= TX_ALGOS;

	if (strcmp(t.d.type, "local") == 0)
		verified_by = "read-back";
	if (strcmp(t.d.type, "sftp") == 0 &&
	    strcmp(t.d.verify, "checksum") == 0)
		t.d.verify = "size";	/* sftp has no remote hashing */

	/* A bad setting, a missing path or key: the same job would fail the
	 * same way again, so each is refused, not retried. */
	if (t.d.window != NULL) {
		int open = tx_window_open(t.d.window, time(NULL));

		if (open < 0) {
			snprintf(msg, sizeof msg, "window '%s' of %s is not "
			    "HH:MM-HH:MM", t.d.window, t.d.name);
			return deliver_fail(&t, msg, MCR_JOB_REFUSED);
		}
		if (!open) {
			snprintf(msg, sizeof msg, "the transfer window %s of "
			    "destination %s is closed now; nothing was sent; "
			    "deliver again inside the window or change "
			    "window =", t.d.window, t.d.name);
			record_delivery(&t, "out", "refused", "none", msg,
			    NULL);
			return deliver_fail(&t, msg, MCR_JOB_FAILED);
		}
	}
	if (paths == NULL || (arr = json_loads(paths, 0, NULL)) == NULL ||
	    !json_is_array(arr) || json_array_size(arr) == 0) {
		json_decref(arr);
		return deliver_fail(&t, "paths= must be a JSON array of the "
		    "absolute paths to send", MCR_JOB_REFUSED);
	}
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || collect(&t, json_string_value(v),
		    err, sizeof err) < 0) {
			snprintf(msg, sizeof msg, "nothing was sent: %s",
			    json_is_string(v) ? err : "a path is not a string");
			json_decref(arr);
			rc = deliver_fail(&t, msg, MCR_JOB_REFUSED);
			goto out;
		}
	}
	json_decref(arr);
	if (t.nfiles == 0) {
		rc = deliver_fail(&t, "there are no files to send under the "
		    "paths given", MCR_JOB_REFUSED);
		goto out;
	}
	if (strcmp(t.d.type, "rsync") == 0 || strcmp(t.d.type, "sftp") == 0) {
		if (t.d.host == NULL || check_secret_file("key", t.d.key, msg,
		    sizeof msg) < 0 || check_secret_file("known_hosts file",
		    t.d.known_hosts, msg, sizeof msg) < 0) {
			if (t.d.host == NULL)
				snprintf(msg, sizeof msg, "destination %s has "
				    "no host", t.d.name);
			rc = deliver_fail(&t, msg, MCR_JOB_REFUSED);
			goto out;
		}
	} else if (strcmp(t.d.type, "local") != 0 &&
	    strcmp(t.d.type, "rclone") != 0) {
		snprintf(msg, sizeof msg, "type '%s' of destination %s is not "
		    "local, rsync, sftp or rclone", t.d.type, t.d.name);
		rc = deliver_fail(&t, msg, MCR_JOB_REFUSED);
		goto out;
	}
	record_delivery(&t, "out", "running", NULL, NULL, NULL);
	host->event(job, "info", "delivery.started", t.d.name, "delivery "
	    "started");

	/* The read side's hashes, before an engine reads the files again. */
	if (strcmp(t.d.type, "local") != 0) {
		t.done_before = 0;
		for (i = 0; i < t.nfiles; i++) {
			t.cur = i;
			erc = tx_hash(&t, t.files[i].src, t.algos,
			    &t.files[i].h, NULL, NULL, err, sizeof err);
			if (erc == 1) {
				rc = MCR_JOB_CANCELLED;
				goto out;
			}
			if (erc < 0) {
				rc = deliver_fail(&t, err, MCR_JOB_FAILED);
				goto out;
			}
			t.done_before += t.files[i].size;
		}
		tx_log(&t, "hashed %zu files, %llu bytes, in %.2f s", t.nfiles,
		    (unsigned long long)t.total, t.hash_seconds);
	}

	for (attempt = 0; ; attempt++) {
		msg[0] = '\0';
		free(t.stderr_tail);
		t.stderr_tail = NULL;
		t.t0 = wall();
		erc = run_engine(&t, msg, sizeof msg);
		if (erc != 1 || attempt >= t.retries)
			break;
		{
			int wait = t.backoff_s << (attempt < 8 ? attempt : 8);

			if (wait > 300)
				wait = 300;
			tx_log(&t, "attempt %d failed: %s; trying again in %d s",
			    attempt + 1, msg, wait);
			host->event(job, "warning", "delivery.retry", t.d.name,
			    msg);
			for (int k = 0; k < wait * 4 && !host->cancelled(job);
			    k++)
				usleep(250000);
			if (host->cancelled(job)) {
				erc = 2;
				break;
			}
		}
	}
	if (erc == 2) {
		record_files(&t, "out");
		record_delivery(&t, "out", "cancelled", "none", "cancelled by "
		    "an operator", NULL);
		rc = MCR_JOB_CANCELLED;
		goto out;
	}
	if (erc != 0) {
		char full[ERRLEN + 128];

		if (attempt > 0)
			snprintf(full, sizeof full, "%s (after %d attempts)",
			    msg, attempt + 1);
		else
			snprintf(full, sizeof full, "%s", msg);
		record_files(&t, "out");
		record_delivery(&t, "out", "failed", "none", full, NULL);
		/* -1: the engine said another attempt would fail the same
		 * way (host key, login, missing folder, bad command line). */
		if (erc < 0)
			tx_log(&t, "refused, not retried: another attempt "
			    "would fail the same way");
		rc = deliver_fail(&t, full, erc < 0 ? MCR_JOB_REFUSED :
		    MCR_JOB_FAILED);
		goto out;
	}

	if (manifest && (erc = send_manifest(&t, &manifest_label, msg,
	    sizeof msg)) != 0) {
		char full[ERRLEN + 128];

		if (erc == 2) {
			record_files(&t, "out");
			record_delivery(&t, "out", "cancelled", "none",
			    "cancelled by an operator", NULL);
			rc = MCR_JOB_CANCELLED;
			goto out;
		}
		snprintf(full, sizeof full, "the files went, but the "
		    "manifest did not: %s", msg);
		record_files(&t, "out");
		record_delivery(&t, "out", "failed", "none", full, NULL);
		rc = deliver_fail(&t, full, MCR_JOB_FAILED);
		goto out;
	}

	/* The far side, checked as the destination says. */
	if (strcmp(t.d.type, "local") != 0 && strcmp(t.d.verify, "none") != 0) {
		free(t.stderr_tail);
		t.stderr_tail = NULL;
		erc = strcmp(t.d.type, "rsync") == 0 ? verify_rsync(&t, msg,
		    sizeof msg) : strcmp(t.d.type, "rclone") == 0 ?
		    run_rclone(&t, 1, msg, sizeof msg) : verify_sftp(&t, msg,
		    sizeof msg);
		if (erc < 0) {
			record_files(&t, "out");
			record_delivery(&t, "out", "unverified", "none", msg,
			    manifest_label);
			rc = deliver_fail(&t, msg, MCR_JOB_FAILED);
			goto out;
		}
		verified_by = strcmp(t.d.type, "rclone") == 0 ?
		    (strcmp(t.d.verify, "checksum") == 0 ? "rclone check "
		    "(hashes)" : "rclone check (sizes)") :
		    strcmp(t.d.verify, "checksum") == 0 ?
		    "rsync --checksum pass" : "size listing";
	}
	for (i = 0; i < t.nfiles; i++)
		failed += t.files[i].verified < 0;
	record_files(&t, "out");
	if (failed > 0) {
		snprintf(msg, sizeof msg, "%zu of %zu files differ at %s after "
		    "the transfer; see the receipt", failed, t.nfiles,
		    t.d.name);
		for (i = 0; i < t.nfiles; i++) {
			if (t.files[i].problem != NULL) {
				snprintf(msg, sizeof msg, "%zu of %zu files "
				    "differ at %s after the transfer; the "
				    "first is %s: %s", failed, t.nfiles,
				    t.d.name, t.files[i].rel,
				    t.files[i].problem);
				break;
			}
		}
		record_delivery(&t, "out", "failed", verified_by, msg,
		    manifest_label);
		rc = deliver_fail(&t, msg, MCR_JOB_FAILED);
		goto out;
	}
	snprintf(msg, sizeof msg, "%zu files, %llu bytes delivered to %s "
	    "(verified: %s)", t.nfiles, (unsigned long long)t.total, t.d.name,
	    verified_by);
	record_delivery(&t, "out", "delivered", verified_by, msg,
	    manifest_label);
	host->event(job, "info", "delivery.done", t.d.name, msg);
	res = json_pack("{s:s, s:I, s:I, s:s, s:f}", "destination", t.d.name,
	    "files", (json_int_t)t.nfiles, "bytes", (json_int_t)t.total,
	    "verified_by", verified_by, "hash_seconds", t.hash_seconds);
	{
		char *s = json_dumps(res, JSON_COMPACT);

		host->result(job, s);
		free(s);
	}
	json_decref(res);
	rc = MCR_JOB_DONE;
out:
	free(manifest_label);
	tx_free(&t);
	return rc;
}

/* --- transfer.receive --- */

struct rx {
	struct tx *t;
	const char *root;
	const struct mhl_history *history;
	json_t *manifests;	/* the manifest files, not content */
	struct rx_expectations *x;	/* what they list */
	size_t listed, bad, missing, extra;
};

static struct rx *rx_walk;

/* A received file with a problem (or none: problem NULL). */
static struct tx_file *
rx_add(struct rx *r, const char *rel, uint64_t size, const char *problem)
{
	struct tx_file *f;
	char *src = tx_printf("%s/%s", r->root, rel);

	add_file(r->t, src, rel, size);
	free(src);
	f = &r->t->files[r->t->nfiles - 1];
	f->sent = 1;
	f->verified = problem != NULL ? -1 : 1;
	if (problem != NULL) {
		f->problem = tx_strdup(problem);
		r->t->host->finding(r->t->job, "error", "receive", rel,
		    problem);
	}
	return f;
}

static int
rx_is_manifest(const struct rx *r, const char *path)
{
	size_t i;

	for (i = 0; i < json_array_size(r->manifests); i++) {
		if (strcmp(json_string_value(json_array_get(r->manifests, i)),
		    path) == 0)
			return 1;
	}
	return 0;
}

/* The files on disk that no manifest lists (ASC MHL's own folder and the
 * manifest files themselves are not content). */
static int
rx_walk_cb(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	struct rx *r = rx_walk;
	const char *rel = path + strlen(r->root);
	struct rx_expectations *x = r->x;

	while (*rel == '/')
		rel++;
	if (type == FTW_D && ftw->level == 1 &&
	    strcmp(path + ftw->base, MHL_FOLDER) == 0)
		return FTW_SKIP_SUBTREE;
	if (type == FTW_DNR || type == FTW_NS)
		return FTW_STOP;
	if (type != FTW_F || !S_ISREG(st->st_mode) ||
	    strcmp(path + ftw->base, ".DS_Store") == 0 ||
	    rx_is_manifest(r, path) || rx_find(x, rel) != NULL)
		return FTW_CONTINUE;
	rx_add(r, rel, (uint64_t)st->st_size, "not listed in the manifests");
	r->extra++;
	return FTW_CONTINUE;
}

/* Checks every file the sum files and MHL v1.1 files list. */
static int
rx_check_listed(struct rx *r, struct rx_expectations *x)
{
	struct tx *t = r->t;
	char err[ERRLEN], *problem;
	size_t i;
	int a;

	for (i = 0; i < x->n; i++) {
		struct rx_expect *e = &x->e[i];
		struct vcopy_hashes got;
		struct tx_file *f;
		uint32_t x32 = 0;
		uint64_t size = 0;
		struct stat st;
		char *path = tx_printf("%s/%s", r->root, e->rel);
		int erc;

		r->listed++;
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			rx_add(r, e->rel, 0, "missing");
			r->missing++;
			continue;
		}
		if (e->disagree != NULL) {
			free(path);
			rx_add(r, e->rel, (uint64_t)st.st_size, e->disagree);
			r->bad++;
			continue;
		}
		if (e->size >= 0 && (uint64_t)e->size !=
		    (uint64_t)st.st_size) {
			free(path);
			problem = tx_printf("is %lld bytes, %s says %lld",
			    (long long)st.st_size, e->where,
			    (long long)e->size);
			rx_add(r, e->rel, (uint64_t)st.st_size, problem);
			free(problem);
			r->bad++;
			continue;
		}
		t->cur = i;
		erc = tx_hash(t, path, e->h.set, &got, e->has_xxh32 ? &x32 :
		    NULL, &size, err, sizeof err);
		free(path);
		if (erc == 1)
			return 2;
		if (erc < 0) {
			rx_add(r, e->rel, (uint64_t)st.st_size, err);
			r->bad++;
			continue;
		}
		t->done_before += size;
		problem = NULL;
		for (a = 0; a < VCOPY_NALGO && problem == NULL; a++) {
			if ((e->h.set & VCOPY_ALGO_BIT(a)) &&
			    strcmp(got.hex[a], e->h.hex[a]) != 0)
				problem = tx_printf("%s is %s, %s says %s",
				    vcopy_algo_name(a), got.hex[a], e->where,
				    e->h.hex[a]);
		}
		if (problem == NULL && e->has_xxh32 && x32 != e->xxh32)
			problem = tx_printf("xxhash (XXH32) is %u, %s says %u",
			    (unsigned)x32, e->where, (unsigned)e->xxh32);
		f = rx_add(r, e->rel, size, problem);
		f->h = got;
		if (problem != NULL)
			r->bad++;
		free(problem);
	}
	return 0;
}

static int
rx_manifest_name(const char *name)
{
	static const char *const ext[] = { ".mhl", ".md5", ".xxh128", ".xxh3",
	    ".xxh64", ".xxh", NULL };
	size_t i, l = strlen(name), e;

	for (i = 0; ext[i] != NULL; i++) {
		e = strlen(ext[i]);
		if (l > e && strcasecmp(name + l - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

static void
rx_mhl_report(void *arg, const struct mhl_check *c)
{
	struct rx *r = arg;
	const struct mhl_file *hf;
	struct tx_file *f;
	const char *base = strrchr(c->path, '/');
	char *problem = NULL;

	base = base != NULL ? base + 1 : c->path;
	switch (c->outcome) {
	case MHL_OK:
		f = rx_add(r, c->path, c->size, NULL);
		if ((hf = mhl_history_find(r->history, c->path)) != NULL)
			f->h = hf->hashes;
		r->listed++;
		return;
	case MHL_MISMATCH:
		problem = tx_printf("%s is %s, the ASC MHL history says %s",
		    c->algo, c->found, c->expected);
		r->bad++;
		r->listed++;
		break;
	case MHL_MISSING:
		problem = tx_strdup("missing");
		r->missing++;
		r->listed++;
		break;
	case MHL_NEW:
		if (strcmp(base, ".DS_Store") == 0)
			return;
		if (rx_manifest_name(base)) {
			/* A sum or MHL v1.1 file beside the history describes
			 * the content; it is not content itself. */
			tx_log(r->t, "%s looks like a manifest; it is not "
			    "checked or counted", c->path);
			return;
		}
		problem = tx_strdup("not listed in the ASC MHL history");
		r->extra++;
		break;
	case MHL_RENAMED:
		problem = tx_printf("holds the bytes the ASC MHL history lists "
		    "as %s (renamed)", c->old_path);
		r->extra++;
		r->missing++;
		r->listed++;
		break;
	case MHL_UNREADABLE:
		problem = tx_printf("cannot be checked: %s", c->error ?
		    c->error : "unreadable");
		r->bad++;
		r->listed++;
		break;
	}
	rx_add(r, c->path, c->size, problem);
	free(problem);
}

static void
rx_mhl_progress(void *arg, uint64_t bytes, const char *path)
{
	struct rx *r = arg;

	(void)path;
	r->t->done_before += bytes;
	hash_progress(r->t, 0);
}

static int
rx_cancelled(void *arg)
{
	struct rx *r = arg;

	return r->t->host->cancelled(r->t->job);
}

static int
receive(struct mcr_job *job, const struct mcr_host *host)
{
	struct tx t = { .job = job, .host = host };
	struct rx r = { .t = &t };
	struct rx_expectations x = { 0 };
	struct mhl_history *history = NULL;
	const char *root = host->param(job, "path");
	const char *sumsp = host->param(job, "sums");
	char msg[ERRLEN + 256], err[ERRLEN], kind[64] = "";
	json_t *v, *res;
	size_t i, rl;
	int rc = MCR_JOB_REFUSED, have_sums = 0, have_mhl1 = 0;

	t.started = t.t0 = wall();
	t.d.name = param_or(&t, "client", "(unknown)");
	t.d.type = "receive";
	t.d.path = root;
	r.root = root;
	if (root == NULL || root[0] != '/') {
		host->fail(job, "path= must be the absolute path of the "
		    "received folder");
		return MCR_JOB_REFUSED;
	}
	rl = strlen(root);
	r.manifests = sumsp != NULL ? json_loads(sumsp, 0, NULL) : json_array();
	if (r.manifests == NULL || !json_is_array(r.manifests)) {
		host->fail(job, "sums= must be a JSON array of the manifest "
		    "files' absolute paths");
		goto out;
	}
	json_array_foreach(r.manifests, i, v) {
		const char *p = json_string_value(v);
		char *prefix;
		size_t n;

		if (p == NULL || p[0] != '/') {
			host->fail(job, "sums= must list absolute paths");
			goto out;
		}
		/* A manifest inside the delivery names files relative to
		 * its own folder. */
		if (strncmp(p, root, rl) == 0 && p[rl] == '/') {
			prefix = tx_strdup(p + rl + 1);
			*(strrchr(prefix, '/') ? strrchr(prefix, '/') :
			    prefix) = '\0';
		} else
			prefix = tx_strdup("");
		if (rx_read_manifest(p, prefix, &x, err, sizeof err) < 0) {
			free(prefix);
			host->fail(job, err);
			goto out;
		}
		free(prefix);
		n = strlen(p);
		if (n > 4 && strcasecmp(p + n - 4, ".mhl") == 0)
			have_mhl1 = 1;
		else
			have_sums = 1;
	}
	rx_finish(&x);
	if (json_array_size(r.manifests) == 0) {
		switch (mhl_history_load(root, &history, err, sizeof err)) {
		case 0:
			break;
		case 1:
			snprintf(msg, sizeof msg, "%s has no ascmhl folder and "
			    "no manifest file was named; name one (.mhl, .md5, "
			    ".xxh128, .xxh64) with --sums", root);
			host->fail(job, msg);
			goto out;
		default:
			host->fail(job, err);
			goto out;
		}
		r.history = history;
		snprintf(kind, sizeof kind, "ASC MHL v2 (%d generation%s)",
		    mhl_history_generations(history),
		    mhl_history_generations(history) == 1 ? "" : "s");
	} else
		snprintf(kind, sizeof kind, "%s%s%s", have_mhl1 ? "MHL v1.1" :
		    "", have_mhl1 && have_sums ? " and " : "", have_sums ?
		    "sum files" : "");

	record_delivery(&t, "in", "running", NULL, NULL, NULL);
	t.done_before = 0;
	if (history != NULL) {
		struct mhl_verify_opts o = { .cancelled = rx_cancelled,
			.progress = rx_mhl_progress, .report = rx_mhl_report,
			.arg = &r };
		struct mhl_verify_counts counts;
		double t0 = wall();

		if (mhl_verify_tree(root, history, &o, &counts, err,
		    sizeof err) < 0) {
			if (host->cancelled(job)) {
				rc = MCR_JOB_CANCELLED;
				goto out;
			}
			host->fail(job, err);
			rc = MCR_JOB_FAILED;
			goto out;
		}
		t.hash_seconds = wall() - t0;
	} else {
		int erc = rx_check_listed(&r, &x);

		if (erc == 2) {
			rc = MCR_JOB_CANCELLED;
			goto out;
		}
		r.x = &x;
		rx_walk = &r;
		erc = nftw(root, rx_walk_cb, 32, FTW_PHYS | FTW_ACTIONRETVAL);
		rx_walk = NULL;
		if (erc != 0) {
			snprintf(msg, sizeof msg, "cannot read every file under "
			    "%s; check its permissions", root);
			host->fail(job, msg);
			rc = MCR_JOB_FAILED;
			goto out;
		}
	}
	qsort(t.files, t.nfiles, sizeof *t.files, file_cmp);
	record_files(&t, "in");
	if (r.bad + r.missing + r.extra > 0) {
		snprintf(msg, sizeof msg, "%zu corrupt, %zu missing, %zu not "
		    "listed of %zu files received from %s (checked against %s)",
		    r.bad, r.missing, r.extra, r.listed, t.d.name, kind);
		record_delivery(&t, "in", "failed", kind, msg, NULL);
		host->event(job, "error", "receive.failed", t.d.name, msg);
	} else {
		snprintf(msg, sizeof msg, "%zu files received from %s match "
		    "%s", r.listed, t.d.name, kind);
		record_delivery(&t, "in", "verified", kind, msg, NULL);
		host->event(job, "info", "receive.verified", t.d.name, msg);
	}
	res = json_pack("{s:I, s:I, s:I, s:I, s:s}", "files",
	    (json_int_t)r.listed, "corrupt", (json_int_t)r.bad, "missing",
	    (json_int_t)r.missing, "unlisted", (json_int_t)r.extra,
	    "manifest", kind);
	{
		char *s = json_dumps(res, JSON_COMPACT);

		host->result(job, s);
		free(s);
	}
	json_decref(res);
	if (r.bad + r.missing + r.extra > 0) {
		/* The delivery is what it is: checking it again would only
		 * repeat the verdict. */
		host->fail(job, msg);
		rc = MCR_JOB_REFUSED;
	} else
		rc = MCR_JOB_DONE;
out:
	rx_expectations_free(&x);
	mhl_history_free(history);
	json_decref(r.manifests);
	tx_free(&t);
	return rc;
}

static const struct mcr_param deliver_params[] = {
	{ "paths", "JSON array of absolute paths (files or folders)", 1 },
	{ "destination", "the destination's name, for the record", 1 },
	{ "type", "local, rsync, sftp or rclone", 1 },
	{ "path", "folder at the destination", 0 },
	{ "host", "SSH host", 0 },
	{ "port", "SSH port (22)", 0 },
	{ "user", "SSH user", 0 },
	{ "key", "path of the SSH private key (never read by mcr)", 0 },
	{ "rclone_config", "path of the rclone.conf to use (never read by "
	    "mcr)", 0 },
	{ "known_hosts", "the known_hosts file that holds the host key", 0 },
	{ "bwlimit", "KiB/s; 0 for no limit", 0 },
	{ "window", "HH:MM-HH:MM when sending is allowed", 0 },
	{ "verify", "checksum, size or none", 0 },
	{ "hash", "xxh128 (always), md5, xxh64: what each file is hashed "
	    "with for the receipt (xxh128)", 0 },
	{ "manifest", "1: send a manifest of what was sent", 0 },
	{ "retries", "further attempts after a transient failure (3)", 0 },
	{ "backoff", "seconds before the first retry, doubling (5)", 0 },
	{ "note", "a note for the receipt", 0 },
	{ "client", "who it is for", 0 },
	{ NULL, NULL, 0 },
};

static const struct mcr_param receive_params[] = {
	{ "path", "the received folder", 1 },
	{ "sums", "JSON array of the manifest files (MHL v1.1 .mhl, md5sum, "
	    "xxhsum); none: the folder's ascmhl history", 0 },
	{ "client", "who sent it", 0 },
	{ "note", "a note for the receipt", 0 },
	{ NULL, NULL, 0 },
};

static const struct mcr_kind kinds[] = {
	{ .name = "transfer.deliver", .summary = "send files to a destination "
	    "(local, rsync over SSH, SFTP) with hashes, resume and a receipt",
	    .params = deliver_params, .retry_safe = 1, .run = deliver },
	{ .name = "transfer.receive", .summary = "check a received folder "
	    "against its ASC MHL v2 history, MHL v1.1 or md5/xxhash sum files "
	    "and record a receipt",
	    .params = receive_params, .retry_safe = 1, .run = receive },
	{ .name = NULL },
};

static const struct mcr_plugin plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "transfer",
	.version = "1",
	.summary = "delivery and receipt (D4): local/NAS, rsync over SSH, SFTP",
	.kinds = kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &plugin;
}
