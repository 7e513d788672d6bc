/*
 * clamd: the INSTREAM client (see clamd.h). One connection per command,
 * with send and receive timeouts so a stalled daemon fails the scan
 * instead of hanging the job; SIGPIPE is avoided with MSG_NOSIGNAL, so a
 * daemon that hangs up early (a stream over its StreamMaxLength) is read
 * for its reason.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "clamd.h"

#define CLAMD_CHUNK (256u << 10)
#define CLAMD_TIMEOUT_S 120

/* Splits HOST:PORT or [HOST]:PORT; refuses anything but the loopback. */
static int
split_tcp(const char *where, char *host, size_t hlen, char *port,
    size_t plen)
{
	const char *colon;
	size_t n;

	if (where[0] == '[') {
		const char *close = strchr(where, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		n = (size_t)(close - where - 1);
		colon = close + 1;
		if (n >= hlen)
			return -1;
		memcpy(host, where + 1, n);
	} else {
		if ((colon = strrchr(where, ':')) == NULL)
			return -1;
		n = (size_t)(colon - where);
		if (n >= hlen)
			return -1;
		memcpy(host, where, n);
	}
	host[n] = '\0';
	if (snprintf(port, plen, "%s", colon + 1) >= (int)plen ||
	    port[0] == '\0' || strspn(port, "0123456789") != strlen(port))
		return -1;
	if (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 &&
	    strcmp(host, "localhost") != 0)
		return -1;
	return 0;
}

int
clamd_check_address(const char *where, char *err, size_t errlen)
{
	char host[64], port[16];

	if (where[0] == '/') {
		if (strlen(where) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			snprintf(err, errlen, "clamd socket path %s is too long",
			    where);
			return -1;
		}
		return 0;
	}
	if (split_tcp(where, host, sizeof host, port, sizeof port) < 0) {
		snprintf(err, errlen, "clamd must be a local socket's absolute "
		    "path or 127.0.0.1:PORT, [::1]:PORT or localhost:PORT, not "
		    "'%s' (files are not sent to another host)", where);
		return -1;
	}
	return 0;
}

static int
set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = CLAMD_TIMEOUT_S };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0 ?
	    0 : -1;
}

static int
connect_clamd(const char *where, char *err, size_t errlen)
{
	char host[64], port[16];
	struct addrinfo hints, *ai = NULL, *p;
	int fd = -1, e = 0, rc;

	if (clamd_check_address(where, err, errlen) < 0)
		return -1;
	if (where[0] == '/') {
		struct sockaddr_un sa;

		memset(&sa, 0, sizeof sa);
		sa.sun_family = AF_UNIX;
		memcpy(sa.sun_path, where, strlen(where) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
		    set_timeouts(fd) < 0 ||
		    connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
			e = errno;
			if (fd >= 0)
				close(fd);
			snprintf(err, errlen, "cannot reach clamd at %s: %s; "
			    "start clamd, or correct clamd = in [ingest]",
			    where, strerror(e));
			return -1;
		}
		return fd;
	}
	split_tcp(where, host, sizeof host, port, sizeof port);
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(err, errlen, "cannot resolve clamd's address %s: %s",
		    where, gai_strerror(rc));
		return -1;
	}
	for (p = ai; p != NULL; p = p->ai_next) {
		if ((fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC,
		    p->ai_protocol)) < 0) {
			e = errno;
			continue;
		}
		if (set_timeouts(fd) == 0 &&
		    connect(fd, p->ai_addr, p->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		snprintf(err, errlen, "cannot reach clamd at %s: %s; start "
		    "clamd, or correct clamd = in [ingest]", where,
		    strerror(e));
	return fd;
}

static int
send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads clamd's reply up to its NUL (or the end); trims a trailing
 * newline. Returns its length, or -1. */
static ssize_t
read_reply(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len) {
		n = recv(fd, buf + got, len - 1 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return got > 0 ? (ssize_t)got : -1;
		if (n == 0)
			break;
		got += (size_t)n;
		if (memchr(buf, '\0', got) != NULL)
			break;
	}
	buf[got] = '\0';
	got = strlen(buf);
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
		buf[--got] = '\0';
	return (ssize_t)got;
}

int
clamd_ping(const char *where, char *err, size_t errlen)
{
	char reply[64];
	int fd = connect_clamd(where, err, errlen);

	if (fd < 0)
		return -1;
	if (send_all(fd, "zPING", 6) < 0 ||
	    read_reply(fd, reply, sizeof reply) < 0 ||
	    strcmp(reply, "PONG") != 0) {
		snprintf(err, errlen, "clamd at %s does not answer PING; is it "
		    "clamd, and is it running?", where);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
clamd_scan(const char *where, const char *path, char *sig, size_t siglen,
    char *err, size_t errlen)
{
	static unsigned char buf[4 + CLAMD_CHUNK];
	char reply[1024], *found;
	int fd = -1, in = -1, rc = -1, sent = 0;
	ssize_t n;
	uint32_t be;

	sig[0] = '\0';
	if ((in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open %s to scan it: %s", path,
		    strerror(errno));
		return -1;
	}
	if ((fd = connect_clamd(where, err, errlen)) < 0)
		goto out;
	if (send_all(fd, "zINSTREAM", 10) < 0)
		goto lost;
	for (;;) {
		n = read(in, buf + 4, CLAMD_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s to scan it: %s",
			    path, strerror(errno));
			goto out;
		}
		be = htonl((uint32_t)n);
		memcpy(buf, &be, 4);
		/* The last chunk is the zero length that ends the stream. */
		if (send_all(fd, buf, 4 + (size_t)n) < 0)
			break;	/* clamd hung up: its reply says why */
		if (n == 0) {
			sent = 1;
			break;
		}
	}
	if (read_reply(fd, reply, sizeof reply) <= 0) {
		if (!sent)
			goto lost;
		snprintf(err, errlen, "clamd at %s gave no verdict on %s", where,
		    path);
		goto out;
	}
	if (strcmp(reply, "stream: OK") == 0) {
		rc = 0;
	} else if (strncmp(reply, "stream: ", 8) == 0 &&
	    (found = strstr(reply, " FOUND")) != NULL && found[6] == '\0') {
		snprintf(sig, siglen, "%.*s", (int)(found - reply - 8),
		    reply + 8);
		rc = 1;
	} else {
		snprintf(err, errlen, "clamd could not scan %s: %s%s", path,
		    reply, strstr(reply, "size limit") != NULL ? " (raise "
		    "StreamMaxLength in clamd.conf above the largest file, or "
		    "scan with libclamav: clamav_db instead of clamd)" : "");
	}
	goto out;
lost:
	snprintf(err, errlen, "clamd at %s stopped answering while %s was "
	    "sent: %s; check that clamd is running", where, path,
	    strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (in >= 0)
		close(in);
	return rc;
}
