/*
 * mcr note: an operator's note into the shift log. The text comes from the
 * arguments (joined by spaces) or, with none or "-", from standard input,
 * so `dmesg | tail | mcr note` works. A note may link to jobs, media,
 * assets, deliveries and incidents, and be flagged for the handover.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "shiftlog.h"
#include "strutil.h"
#include "xmalloc.h"

/* Longer notes belong in a file, with its path in the note. */
#define NOTE_MAX 65536
#define NOTE_LINKS_MAX 16

static char *
read_stdin(void)
{
	char *buf = xmalloc(NOTE_MAX + 2);
	size_t n = fread(buf, 1, NOTE_MAX + 1, stdin);

	if (ferror(stdin)) {
		free(buf);
		cmd_error("cannot read the note from standard input");
		return NULL;
	}
	if (n > NOTE_MAX) {
		free(buf);
		cmd_error("the note is longer than %d bytes; put long text in a "
		    "file and note its path", NOTE_MAX);
		return NULL;
	}
	if (memchr(buf, '\0', n) != NULL) {
		free(buf);
		cmd_error("the note on standard input contains NUL bytes; a "
		    "note is text");
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static char *
join_args(int argc, char **argv)
{
	size_t len = 1, off = 0;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xmalloc(len);
	for (i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (i > 0)
			s[off++] = ' ';
		memcpy(s + off, argv[i], n);
		off += n;
	}
	s[off] = '\0';
	return s;
}

int
cmd_note(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_JOB = CMD_OPT_VERB, OPT_MEDIA, OPT_ASSET, OPT_DELIVERY,
		OPT_INCIDENT, OPT_HANDOVER };
	static const struct option longopts[] = {
		{ "job", required_argument, NULL, OPT_JOB },
		{ "media", required_argument, NULL, OPT_MEDIA },
		{ "asset", required_argument, NULL, OPT_ASSET },
		{ "delivery", required_argument, NULL, OPT_DELIVERY },
		{ "incident", required_argument, NULL, OPT_INCIDENT },
		{ "handover", no_argument, NULL, OPT_HANDOVER },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_note_link links[NOTE_LINKS_MAX];
	size_t nlinks = 0;
	bool handover = false;
	int64_t job = 0, id;
	char *text, *end;
	int c, rc;

	/* Options may follow the text; a note that starts with '-' goes
	 * after "--". */
	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_JOB:
			job = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || job <= 0)
				return cmd_usage_error(ctx, "--job '%s' is not a "
				    "job number", optarg);
			/* A job is a link too. */
			/* FALLTHROUGH */
		case OPT_MEDIA:
		case OPT_ASSET:
		case OPT_DELIVERY:
		case OPT_INCIDENT:
			if (nlinks == NOTE_LINKS_MAX)
				return cmd_usage_error(ctx, "a note links to at "
				    "most %d things", NOTE_LINKS_MAX);
			links[nlinks].type = c == OPT_JOB ? "job" :
			    c == OPT_MEDIA ? "media" : c == OPT_ASSET ? "asset" :
			    c == OPT_DELIVERY ? "delivery" : "incident";
			links[nlinks++].ref = optarg;
			break;
		case OPT_HANDOVER:
			handover = true;
			break;
		case 'h':
			printf("Usage: mcr note [--handover] [LINK...] [--] "
			    "TEXT...\n"
			    "       COMMAND | mcr note [--handover] [LINK...]\n"
			    "Add a note to the shift log: the words of TEXT "
			    "joined by spaces, or standard\ninput when TEXT is "
			    "absent or '-'. Notes are UTF-8, at most %d bytes;"
			    "\ntext that starts with '-' goes after '--'.\n\n"
			    "      --handover      put the note on the handover "
			    "until one is acknowledged\n"
			    "LINK (any of them, each may repeat):\n"
			    "      --job ID        the note is about job ID\n"
			    "      --media ID|PATH a catalogued file\n"
			    "      --asset LABEL   a drive or tape, by its label\n"
			    "      --delivery REF  a delivery, by its reference\n"
			    "      --incident ID   an incident\n%s",
			    NOTE_MAX, cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind >= argc || (argc - optind == 1 &&
	    strcmp(argv[optind], "-") == 0)) {
		if (optind >= argc && isatty(STDIN_FILENO))
			return cmd_usage_error(ctx, "give the note's text as "
			    "arguments, or pipe it on standard input");
		if ((text = read_stdin()) == NULL)
			return CMD_EXIT_ERROR;
		strutil_rtrim(text);
	} else
		text = join_args(argc - optind, argv + optind);
	if (strlen(text) > NOTE_MAX) {
		free(text);
		return cmd_error("the note is longer than %d bytes; put long "
		    "text in a file and note its path", NOTE_MAX);
	}
	if ((rc = cmd_shiftlog(ctx)) != 0) {
		free(text);
		return rc;
	}
	rc = shiftlog_note_add(ctx->sl, text, handover, links, nlinks, &id);
	free(text);
	if (rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	return CMD_EXIT_OK;
}
