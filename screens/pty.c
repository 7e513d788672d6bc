/*
 * pty: posix_openpt(), then fork; the child makes the slave its
 * controlling terminal in a new session (what login_tty() does), puts the
 * signals the console changed back to their defaults and execs. This file
 * does not use openpty() because its header is <pty.h>, the name of this
 * module's own header. Whether
 * the exec worked comes back through a close-on-exec pipe, as posix_spawn
 * does it, so a shell that does not exist is an error the caller can show
 * instead of a pane that closes at once.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "pty.h"
#include "xmalloc.h"

extern char **environ;

const char *
pty_shell(void)
{
	const char *shell = getenv("SHELL");

	return shell != NULL && *shell != '\0' ? shell : "/bin/sh";
}

/* The child's environment: the console's, with the terminal type of the
 * emulator and without sizes that would override the pty's. The strings
 * stay the console's; the caller frees only the array. */
static char **
child_env(void)
{
	static const char *const drop[] = { "TERM=", "LINES=", "COLUMNS=" };
	char **env;
	size_t n = 0, i, j;

	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 2, sizeof *env);
	for (i = 0, n = 0; environ[i] != NULL; i++) {
		for (j = 0; j < sizeof drop / sizeof drop[0]; j++) {
			if (strncmp(environ[i], drop[j], strlen(drop[j])) == 0)
				break;
		}
		if (j == sizeof drop / sizeof drop[0])
			env[n++] = environ[i];
	}
	env[n] = (char *)"TERM=xterm-256color";
	return env;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void __attribute__((noreturn))
child(const char *const argv[], int master, int slave, int errfd, char **env)
{
	struct sigaction sa;
	sigset_t none;
	int sig, err;

	close(master);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() == -1 || ioctl(slave, TIOCSCTTY, 0) == -1 ||
	    dup2(slave, STDIN_FILENO) == -1 ||
	    dup2(slave, STDOUT_FILENO) == -1 ||
	    dup2(slave, STDERR_FILENO) == -1)
		goto fail;
	if (slave > STDERR_FILENO && slave != errfd)
		close(slave);
	/* Keep only the tty and the error pipe, which closes on exec. */
	if (errfd != 3) {
		if (dup3(errfd, 3, O_CLOEXEC) == -1)
			goto fail;
		errfd = 3;
	}
	closefrom(4);
	environ = env;
	execvp(argv[0], (char *const *)argv);
fail:
	err = errno;
	if (write(errfd, &err, sizeof err) < 0) {
		/* Nothing left to tell it to. */
	}
	_exit(127);
}

int
pty_spawn(const char *const argv[], int rows, int cols, pid_t *pidp,
    int *masterp)
{
	const char *shell_argv[2];
	struct winsize ws;
	struct termios t;
	char name[64];
	int master = -1, slave = -1, errpipe[2] = { -1, -1 }, err, rc;
	char **env = NULL;
	ssize_t n;
	pid_t pid;

	if (argv == NULL || argv[0] == NULL) {
		shell_argv[0] = pty_shell();
		shell_argv[1] = NULL;
		argv = shell_argv;
	}
	memset(&ws, 0, sizeof ws);
	ws.ws_row = (unsigned short)(rows < 1 ? 1 : rows);
	ws.ws_col = (unsigned short)(cols < 1 ? 1 : cols);
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master == -1 || grantpt(master) == -1 || unlockpt(master) == -1 ||
	    ptsname_r(master, name, sizeof name) != 0 ||
	    (slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    ioctl(master, TIOCSWINSZ, &ws) == -1 ||
	    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) == -1 ||
	    pipe2(errpipe, O_CLOEXEC) == -1) {
		rc = -errno;
		goto out;
	}
	/* Line editing in the kernel counts UTF-8 characters, not bytes. */
	if (tcgetattr(slave, &t) == 0) {
		t.c_iflag |= IUTF8;
		tcsetattr(slave, TCSANOW, &t);
	}
	env = child_env();
	pid = fork();
	if (pid == -1) {
		rc = -errno;
		goto out;
	}
	if (pid == 0)
		child(argv, master, slave, errpipe[1], env);

	close(errpipe[1]);
	errpipe[1] = -1;
	/* Returns at the exec (the pipe closes) or with the exec's errno. */
	do
		n = read(errpipe[0], &err, sizeof err);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)sizeof err) {
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			continue;
		rc = -err;
		goto out;
	}
	*pidp = pid;
	*masterp = master;
	master = -1;
	rc = 0;
out:
	free(env);
	if (slave != -1)
		close(slave);
	if (master != -1)
		close(master);
	if (errpipe[0] != -1)
		close(errpipe[0]);
	if (errpipe[1] != -1)
		close(errpipe[1]);
	return rc;
}

int
pty_resize(int fd, int rows, int cols)
{
	struct winsize ws;

	memset(&ws, 0, sizeof ws);
	ws.ws_row = (unsigned short)(rows < 1 ? 1 : rows);
	ws.ws_col = (unsigned short)(cols < 1 ? 1 : cols);
	if (ioctl(fd, TIOCSWINSZ, &ws) == -1)
		return -errno;
	return 0;
}
