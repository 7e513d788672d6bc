/*
 * ptyterm: a terminal for black-box tests of full-screen programs. It runs
 * a command on a real pty, feeds everything the command prints into a
 * libvterm screen (which answers the command's queries through the pty, as
 * xterm would) and follows a script of waits, keys and checks against the
 * rendered screen, like htop's test_spec.lua with ROTE. Named keys are
 * encoded by libvterm, so they honour the modes the command set.
 *
 *   ptyterm [--size ROWSxCOLS] [--env K=V]... [--script FILE]
 *           [--log FILE] -- COMMAND...
 *
 * --log FILE keeps every byte the command printed, to see what it sent.
 *
 * Script lines (blank lines and lines starting with # are skipped):
 *   wait TEXT [SECONDS]    until TEXT is on the screen (default 10 s)
 *   waitnot TEXT [SECONDS] until it is not
 *   keys STRING            send keys: \n \r \t \e \\ \< \" \xNN, and
 *                          <Name>; "STRING" in quotes loses them
 *   sleep SECONDS          keep reading for that long
 *   resize ROWSxCOLS       resize the pty, SIGWINCH to the command's group
 *   dump FILE              write the screen's text to FILE
 *   expect TEXT            TEXT is on the screen now
 *   expectnot TEXT         it is not
 *   attr ROW COL ATTR      the cell (0-based) has ATTR: bold, underline,
 *                          italic, blink, reverse, strike, fg=N, bg=N,
 *                          fg=default, fg=#rrggbb; !ATTR for the opposite
 *   cursor ROW COL         the cursor is at that cell (0-based)
 *   signal NAME            send HUP, INT, QUIT, TERM, KILL, WINCH, USR1,
 *                          USR2, CONT or STOP to the command
 *   exit [CODE]            the command exits within 5 s (with status CODE;
 *                          128 + N when killed by signal N)
 *   bytes                  print how many bytes the command printed so far
 *
 * TEXT is matched within one row, padded with spaces to the width; dump
 * trims them. When TEXT ends in a number or has spaces at its ends, quote
 * it: wait "Jobs 3" 5 (inside quotes, \" and \\).
 * Key names: Up Down Left Right Home End PgUp PgDn Ins Del F1..F12 Tab
 * BTab Enter Esc Backspace Space lt, or one character; each may have
 * prefixes S- C- M- (or A-): <C-c>, <M-x>, <S-Up>, <C-S-Left>, <S-PgUp>.
 *
 * Nothing is printed on success. A failed check prints the script line,
 * what failed and the screen to stderr and exits 1; a bad command line or
 * script exits 2. At the end the command gets SIGTERM, then SIGKILL.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vterm.h>

#define WAIT_DEFAULT 10.0	/* seconds */
#define EXIT_WAIT 5.0
#define WRITE_WAIT 10.0

static VTerm *vt;
static VTermScreen *vs;
static int rows = 24, cols = 80;
static int master = -1;
static pid_t child = -1;
static bool child_exited, pty_eof;
static bool feeding;		/* inside vterm_input_write() */
static int child_status;	/* the shell's idea: 128 + N for signal N */
static unsigned long long nbytes;
static FILE *logfp;
static const char *script_name = "-";
static int lineno;

static void stop_child(void);

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ptyterm: ");
	if (lineno > 0)
		fprintf(stderr, "%s:%d: ", script_name, lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	stop_child();
	exit(2);
}

/* Appends the UTF-8 for c to buf (room for 4 bytes); returns its length. */
static size_t
utf8_put(char *buf, uint32_t c)
{
	if (c < 0x80) {
		buf[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		buf[0] = (char)(0xc0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		buf[0] = (char)(0xe0 | (c >> 12));
		buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (c >> 18));
	buf[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	buf[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	buf[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* The text of a screen row, trailing spaces trimmed unless it is for
 * matching (a TEXT may end in a space); the caller frees. */
static char *
row_text(int row, bool trim_end)
{
	VTermScreenCell cell;
	VTermPos pos;
	size_t len = 0, size = (size_t)cols * 4 * VTERM_MAX_CHARS_PER_CELL + 1;
	char *s;
	int i;

	s = malloc(size);
	if (s == NULL)
		abort();
	pos.row = row;
	for (pos.col = 0; pos.col < cols; pos.col++) {
		if (!vterm_screen_get_cell(vs, pos, &cell))
			break;
		if (cell.chars[0] == (uint32_t)-1)
			continue;	/* the right half of a wide character */
		if (cell.chars[0] == 0) {
			s[len++] = ' ';
			continue;
		}
		for (i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; i++)
			len += utf8_put(s + len, cell.chars[i]);
	}
	while (trim_end && len > 0 && s[len - 1] == ' ')
		len--;
	s[len] = '\0';
	return s;
}

static void
print_screen(FILE *fp)
{
	char *s;
	int r;

	fprintf(fp, "--- screen %dx%d ---\n", rows, cols);
	for (r = 0; r < rows; r++) {
		s = row_text(r, true);
		fprintf(fp, "%2d|%s\n", r, s);
		free(s);
	}
	fprintf(fp, "---\n");
}

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ptyterm: %s:%d: ", script_name, lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_screen(stderr);
	stop_child();
	exit(1);
}

static bool
on_screen(const char *text)
{
	bool found = false;
	char *s;
	int r;

	for (r = 0; r < rows && !found; r++) {
		s = row_text(r, false);
		found = strstr(s, text) != NULL;
		free(s);
	}
	return found;
}

static void
reap(int options)
{
	int status;

	if (child == -1 || child_exited)
		return;
	if (waitpid(child, &status, options) != child)
		return;
	child_exited = true;
	if (WIFEXITED(status))
		child_status = WEXITSTATUS(status);
	else
		child_status = 128 + WTERMSIG(status);
}

/* Reads what the command printed, waiting up to ms for the first bytes. */
static void
pump(int ms)
{
	struct pollfd pfd;
	char buf[8192];
	ssize_t n;

	/* Replies libvterm sends while it parses must not feed it again. */
	reap(WNOHANG);
	if (pty_eof || feeding) {
		if (ms > 0)
			poll(NULL, 0, ms);
		reap(WNOHANG);
		return;
	}
	pfd.fd = master;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) <= 0)
		return;
	for (;;) {
		n = read(master, buf, sizeof buf);
		if (n > 0) {
			nbytes += (unsigned long long)n;
			if (logfp != NULL)
				fwrite(buf, 1, (size_t)n, logfp);
			feeding = true;
			vterm_input_write(vt, buf, (size_t)n);
			feeding = false;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || (n == -1 && errno != EAGAIN))
			pty_eof = true;	/* EIO: the slave side closed */
		break;
	}
	reap(WNOHANG);
}

/* Writes to the command, reading its output meanwhile so that neither side
 * blocks on a full pty. */
static void
send_bytes(const char *buf, size_t len)
{
	struct pollfd pfd;
	double deadline = now() + WRITE_WAIT;
	ssize_t n;

	while (len > 0) {
		if (pty_eof) {
			if (feeding)
				return;
			fail("the command exited before it read all keys");
		}
		n = write(master, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			fail("cannot write to the pty: %s", strerror(errno));
		if (now() > deadline)
			fail("the command did not read its keys for %.0f s",
			    WRITE_WAIT);
		pfd.fd = master;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 10) == 0 && !feeding)
			pump(0);
	}
}

static void
vterm_output(const char *s, size_t len, void *user)
{
	send_bytes(s, len);
}

static void
stop_child(void)
{
	double deadline;

	if (child == -1)
		return;
	reap(WNOHANG);
	if (!child_exited) {
		kill(-child, SIGTERM);
		kill(child, SIGTERM);
		deadline = now() + 2;
		while (!child_exited && now() < deadline)
			pump(10);
		if (!child_exited) {
			kill(-child, SIGKILL);
			kill(child, SIGKILL);
			reap(0);
		}
	}
	child = -1;
}

/* Parsing. */

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static bool
parse_seconds(const char *s, double *secs)
{
	char *end;

	errno = 0;
	*secs = strtod(s, &end);
	return *s != '\0' && *end == '\0' && errno == 0 && *secs >= 0;
}

static bool
parse_size(const char *s, int *r, int *c)
{
	char *end;
	long a, b;

	a = strtol(s, &end, 10);
	if (end == s || (*end != 'x' && *end != 'X'))
		return false;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s || *end != '\0' || a < 1 || b < 1 || a > 1000 ||
	    b > 1000)
		return false;
	*r = (int)a;
	*c = (int)b;
	return true;
}

/* TEXT [SECONDS] into *text (pointing into arg) and *secs. */
static void
parse_text(char *arg, char **text, double *secs, bool timeout)
{
	char *p, *q, *sp;

	if (*arg == '"') {
		for (p = q = arg + 1; *p != '"'; p++) {
			if (*p == '\0')
				usage_error("no closing quote");
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			*q++ = *p;
		}
		*q = '\0';
		*text = arg + 1;
		p = trim(p + 1);
		if (*p != '\0' && (!timeout || !parse_seconds(p, secs)))
			usage_error("cannot read \"%s\" after the text", p);
		return;
	}
	*text = arg;
	if (!timeout)
		return;
	sp = strrchr(arg, ' ');
	if (sp != NULL && parse_seconds(sp + 1, secs)) {
		*sp = '\0';
		*text = trim(arg);
	}
}

static const struct {
	const char *name;
	VTermKey key;
	VTermModifier mod;
} key_names[] = {
	{ "Up", VTERM_KEY_UP, 0 }, { "Down", VTERM_KEY_DOWN, 0 },
	{ "Left", VTERM_KEY_LEFT, 0 }, { "Right", VTERM_KEY_RIGHT, 0 },
	{ "Home", VTERM_KEY_HOME, 0 }, { "End", VTERM_KEY_END, 0 },
	{ "PgUp", VTERM_KEY_PAGEUP, 0 }, { "PgDn", VTERM_KEY_PAGEDOWN, 0 },
	{ "Ins", VTERM_KEY_INS, 0 }, { "Del", VTERM_KEY_DEL, 0 },
	{ "Tab", VTERM_KEY_TAB, 0 }, { "BTab", VTERM_KEY_TAB, VTERM_MOD_SHIFT },
	{ "Enter", VTERM_KEY_ENTER, 0 }, { "Esc", VTERM_KEY_ESCAPE, 0 },
	{ "Backspace", VTERM_KEY_BACKSPACE, 0 },
};

/* Sends the key named by spec (without its angle brackets); false when
 * spec names no key. */
static bool
send_named(const char *spec)
{
	int mod = 0, n, c;
	size_t i;
	char b[2];

	for (;;) {
		if (spec[0] != '\0' && spec[1] == '-' && spec[2] != '\0') {
			if (spec[0] == 'S')
				mod |= VTERM_MOD_SHIFT;
			else if (spec[0] == 'C')
				mod |= VTERM_MOD_CTRL;
			else if (spec[0] == 'M' || spec[0] == 'A')
				mod |= VTERM_MOD_ALT;
			else
				return false;
			spec += 2;
			continue;
		}
		break;
	}
	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (strcmp(spec, key_names[i].name) == 0) {
			vterm_keyboard_key(vt, key_names[i].key,
			    (VTermModifier)(mod | key_names[i].mod));
			return true;
		}
	}
	if (spec[0] == 'F' && isdigit((unsigned char)spec[1])) {
		n = atoi(spec + 1);
		if (n < 1 || n > 12 || strspn(spec + 1, "0123456789") !=
		    strlen(spec + 1))
			return false;
		vterm_keyboard_key(vt, VTERM_KEY_FUNCTION(n),
		    (VTermModifier)mod);
		return true;
	}
	if (strcmp(spec, "Space") == 0)
		c = ' ';
	else if (strcmp(spec, "lt") == 0)
		c = '<';
	else if (spec[0] != '\0' && spec[1] == '\0')
		c = (unsigned char)spec[0];
	else
		return false;
	/* One character, as xterm sends it: Ctrl makes a control code,
	 * Alt puts Esc before it. */
	if (mod & VTERM_MOD_CTRL) {
		if (c == '?')
			c = 0x7f;
		else if (c == ' ' || (c >= '@' && c <= '~'))
			c &= 0x1f;
		else
			return false;
	}
	n = 0;
	if (mod & VTERM_MOD_ALT)
		b[n++] = '\033';
	b[n++] = (char)c;
	send_bytes(b, (size_t)n);
	return true;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
send_keys(const char *s)
{
	char c, *close, name[32];
	size_t len;

	while (*s != '\0') {
		c = *s++;
		if (c == '<' && (close = strchr(s, '>')) != NULL &&
		    (len = (size_t)(close - s)) > 0 && len < sizeof name) {
			memcpy(name, s, len);
			name[len] = '\0';
			if (send_named(name)) {
				s = close + 1;
				continue;
			}
		}
		if (c == '\\' && *s != '\0') {
			c = *s++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'e':
				c = '\033';
				break;
			case 'x':
				if (hexval(s[0]) < 0 || hexval(s[1]) < 0)
					usage_error("\\x needs two hex digits");
				c = (char)(hexval(s[0]) * 16 + hexval(s[1]));
				s += 2;
				break;
			case '\\':
			case '<':
			case '"':
				break;
			default:
				usage_error("unknown escape \\%c", c);
			}
		}
		/* One write per key, as a terminal sends them: a UTF-8
		 * character whole, or a reader may see half of it. */
		len = 0;
		name[len++] = c;
		if ((unsigned char)c >= 0xc0)
			while (len < 4 && ((unsigned char)*s & 0xc0) == 0x80)
				name[len++] = *s++;
		send_bytes(name, len);
		pump(0);
	}
}

static void
wait_for(const char *text, double secs, bool present)
{
	double deadline = now() + secs;

	for (;;) {
		pump(0);
		if (on_screen(text) == present)
			return;
		if (pty_eof && child_exited)
			fail("the command exited (status %d) while waiting for "
			    "\"%s\" to %s", child_status, text,
			    present ? "appear" : "go");
		if (now() >= deadline)
			fail("\"%s\" did not %s within %g s", text,
			    present ? "appear" : "go", secs);
		pump(20);
	}
}

static void
do_resize(char *arg)
{
	struct winsize ws;

	if (!parse_size(arg, &rows, &cols))
		usage_error("resize wants ROWSxCOLS, not \"%s\"", arg);
	memset(&ws, 0, sizeof ws);
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	if (ioctl(master, TIOCSWINSZ, &ws) == -1)
		fail("cannot resize the pty: %s", strerror(errno));
	vterm_set_size(vt, rows, cols);
	if (child != -1 && !child_exited)
		kill(-child, SIGWINCH);
}

static void
do_dump(const char *file)
{
	FILE *fp;
	char *s;
	int r;

	pump(0);
	fp = fopen(file, "w");
	if (fp == NULL)
		fail("cannot write %s: %s", file, strerror(errno));
	for (r = 0; r < rows; r++) {
		s = row_text(r, true);
		fprintf(fp, "%s\n", s);
		free(s);
	}
	if (fclose(fp) != 0)
		fail("cannot write %s: %s", file, strerror(errno));
}

static bool
color_is(const VTermColor *col, bool fg, const char *want)
{
	bool dflt = fg ? VTERM_COLOR_IS_DEFAULT_FG(col) :
	    VTERM_COLOR_IS_DEFAULT_BG(col);
	unsigned int r, g, b;
	char *end;
	long n;

	if (strcmp(want, "default") == 0)
		return dflt;
	if (dflt)
		return false;
	if (want[0] == '#') {
		if (strlen(want) != 7 ||
		    sscanf(want + 1, "%2x%2x%2x", &r, &g, &b) != 3)
			usage_error("a colour is N, default or #rrggbb");
		return VTERM_COLOR_IS_RGB(col) && col->rgb.red == r &&
		    col->rgb.green == g && col->rgb.blue == b;
	}
	n = strtol(want, &end, 10);
	if (end == want || *end != '\0' || n < 0 || n > 255)
		usage_error("a colour is N, default or #rrggbb");
	return VTERM_COLOR_IS_INDEXED(col) && col->indexed.idx == n;
}

static void
do_attr(char *arg)
{
	VTermScreenCell cell;
	VTermPos pos;
	char what[64];
	const char *a;
	bool want = true, has;

	if (sscanf(arg, "%d %d %63s", &pos.row, &pos.col, what) != 3)
		usage_error("attr wants ROW COL ATTR");
	if (pos.row < 0 || pos.row >= rows || pos.col < 0 || pos.col >= cols)
		usage_error("cell %d,%d is off the %dx%d screen", pos.row,
		    pos.col, rows, cols);
	pump(0);
	vterm_screen_get_cell(vs, pos, &cell);
	a = what;
	if (*a == '!') {
		want = false;
		a++;
	}
	if (strcmp(a, "bold") == 0)
		has = cell.attrs.bold;
	else if (strcmp(a, "underline") == 0)
		has = cell.attrs.underline != 0;
	else if (strcmp(a, "italic") == 0)
		has = cell.attrs.italic;
	else if (strcmp(a, "blink") == 0)
		has = cell.attrs.blink;
	else if (strcmp(a, "reverse") == 0)
		has = cell.attrs.reverse;
	else if (strcmp(a, "strike") == 0)
		has = cell.attrs.strike;
	else if (strncmp(a, "fg=", 3) == 0)
		has = color_is(&cell.fg, true, a + 3);
	else if (strncmp(a, "bg=", 3) == 0)
		has = color_is(&cell.bg, false, a + 3);
	else
		usage_error("unknown attribute \"%s\"", a);
	if (has != want)
		fail("cell %d,%d is %s%s", pos.row, pos.col,
		    has ? "" : "not ", a);
}

static void
do_cursor(const char *arg)
{
	VTermPos pos;
	int r, c;

	if (sscanf(arg, "%d %d", &r, &c) != 2)
		usage_error("cursor wants ROW COL");
	pump(0);
	vterm_state_get_cursorpos(vterm_obtain_state(vt), &pos);
	if (pos.row != r || pos.col != c)
		fail("the cursor is at %d,%d, not %d,%d", pos.row, pos.col, r,
		    c);
}

static void
do_signal(const char *name)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "TERM", SIGTERM }, { "KILL", SIGKILL },
		{ "WINCH", SIGWINCH }, { "USR1", SIGUSR1 },
		{ "USR2", SIGUSR2 }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	};
	size_t i;

	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		if (strcmp(name, sigs[i].name) == 0)
			break;
	}
	if (i == sizeof sigs / sizeof sigs[0])
		usage_error("unknown signal \"%s\"", name);
	if (child_exited)
		fail("cannot send SIG%s: the command exited (status %d)",
		    sigs[i].name, child_status);
	kill(child, sigs[i].sig);
}

static void
do_exit(const char *arg)
{
	double deadline = now() + EXIT_WAIT;
	char *end;
	long code = -1;

	if (*arg != '\0') {
		code = strtol(arg, &end, 10);
		if (*end != '\0' || code < 0 || code > 255)
			usage_error("exit wants a status from 0 to 255");
	}
	while (!child_exited && now() < deadline)
		pump(10);
	if (!child_exited)
		fail("the command is still running after %.0f s", EXIT_WAIT);
	/* Take in what it printed last. */
	pump(0);
	if (code >= 0 && child_status != code)
		fail("the command exited with status %d, not %ld",
		    child_status, code);
}

static void
run_line(char *line)
{
	char *cmd, *arg, *text;
	double secs;
	size_t len;

	cmd = line;
	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	if (*cmd == '\0' || *cmd == '#')
		return;
	arg = cmd + strcspn(cmd, " \t");
	if (*arg != '\0')
		*arg++ = '\0';

	if (strcmp(cmd, "keys") == 0) {
		/* "STRING" in quotes loses them, so that it can end in
		 * spaces; escapes work inside. */
		len = strlen(arg);
		if (len >= 2 && arg[0] == '"' && arg[len - 1] == '"' &&
		    arg[len - 2] != '\\') {
			arg[len - 1] = '\0';
			arg++;
		}
		send_keys(arg);
		return;
	}
	arg = trim(arg);
	if (strcmp(cmd, "wait") == 0 || strcmp(cmd, "waitnot") == 0) {
		secs = WAIT_DEFAULT;
		parse_text(arg, &text, &secs, true);
		wait_for(text, secs, strcmp(cmd, "wait") == 0);
	} else if (strcmp(cmd, "expect") == 0 ||
	    strcmp(cmd, "expectnot") == 0) {
		parse_text(arg, &text, &secs, false);
		pump(0);
		if (on_screen(text) != (strcmp(cmd, "expect") == 0))
			fail("\"%s\" is %s the screen", text,
			    strcmp(cmd, "expect") == 0 ? "not on" : "on");
	} else if (strcmp(cmd, "sleep") == 0) {
		if (!parse_seconds(arg, &secs))
			usage_error("sleep wants seconds, not \"%s\"", arg);
		secs += now();
		while (now() < secs)
			pump((int)((secs - now()) * 1000) + 1);
	} else if (strcmp(cmd, "resize") == 0)
		do_resize(arg);
	else if (strcmp(cmd, "dump") == 0) {
		if (*arg == '\0')
			usage_error("dump wants a file name");
		do_dump(arg);
	} else if (strcmp(cmd, "attr") == 0)
		do_attr(arg);
	else if (strcmp(cmd, "cursor") == 0)
		do_cursor(arg);
	else if (strcmp(cmd, "signal") == 0)
		do_signal(arg);
	else if (strcmp(cmd, "exit") == 0)
		do_exit(arg);
	else if (strcmp(cmd, "bytes") == 0) {
		pump(0);
		printf("%llu\n", nbytes);
		fflush(stdout);
	} else
		usage_error("unknown command \"%s\"", cmd);
}

static void
spawn(char **argv)
{
	struct winsize ws;
	int flags;

	memset(&ws, 0, sizeof ws);
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	fflush(NULL);
	child = forkpty(&master, NULL, NULL, &ws);
	if (child == -1)
		usage_error("cannot make a pty: %s", strerror(errno));
	if (child == 0) {
		signal(SIGPIPE, SIG_DFL);
		closefrom(STDERR_FILENO + 1);
		execvp(argv[0], argv);
		fprintf(stderr, "ptyterm: cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	flags = fcntl(master, F_GETFL);
	fcntl(master, F_SETFL, flags | O_NONBLOCK);
	fcntl(master, F_SETFD, FD_CLOEXEC);
}

int
main(int argc, char **argv)
{
	FILE *script = stdin;
	char *line = NULL, *eq;
	size_t size = 0;
	ssize_t len;
	int i;

	signal(SIGPIPE, SIG_IGN);
	setenv("TERM", "xterm-256color", 1);
	unsetenv("LINES");
	unsetenv("COLUMNS");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strncmp(argv[i], "--", 2) != 0)
			break;
		if (i + 1 >= argc)
			usage_error("%s wants a value", argv[i]);
		if (strcmp(argv[i], "--size") == 0) {
			if (!parse_size(argv[++i], &rows, &cols))
				usage_error("--size wants ROWSxCOLS, not %s",
				    argv[i]);
		} else if (strcmp(argv[i], "--env") == 0) {
			eq = strchr(argv[++i], '=');
			if (eq == NULL || eq == argv[i])
				usage_error("--env wants K=V, not %s", argv[i]);
			*eq = '\0';
			setenv(argv[i], eq + 1, 1);
		} else if (strcmp(argv[i], "--log") == 0) {
			logfp = fopen(argv[++i], "we");
			if (logfp == NULL)
				usage_error("cannot write %s: %s", argv[i],
				    strerror(errno));
		} else if (strcmp(argv[i], "--script") == 0) {
			script_name = argv[++i];
			script = fopen(script_name, "re");
			if (script == NULL)
				usage_error("cannot read %s: %s", script_name,
				    strerror(errno));
		} else
			usage_error("unknown option %s; usage: ptyterm "
			    "[--size ROWSxCOLS] [--env K=V]... "
			    "[--script FILE] [--log FILE] -- COMMAND [ARGS...]",
			    argv[i]);
	}
	if (i >= argc)
		usage_error("no command; usage: ptyterm [--size ROWSxCOLS] "
		    "[--env K=V]... [--script FILE] [--log FILE] -- "
		    "COMMAND [ARGS...]");

	vt = vterm_new(rows, cols);
	vterm_set_utf8(vt, 1);
	vterm_output_set_callback(vt, vterm_output, NULL);
	vs = vterm_obtain_screen(vt);
	vterm_screen_enable_altscreen(vs, 1);
	vterm_screen_reset(vs, 1);
	spawn(argv + i);

	while ((len = getline(&line, &size, script)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		run_line(line);
	}
	free(line);
	if (script != stdin)
		fclose(script);
	stop_child();
	close(master);
	vterm_free(vt);
	if (logfp != NULL)
		fclose(logfp);
	return 0;
}
