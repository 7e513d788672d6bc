/*
 * mcr tc: timecode for operators. The words form an expression, a
 * timecode or frame count, then pairs of '+' or '-' and another; each is
 * read at --rate into frames, summed with the 24-hour wrap, and --to
 * converts the result by real time (or, with --same-label, keeps the
 * label). One value prints in the other form (a timecode its frames, a
 * frame count its timecode); a sum prints a timecode. No shift log.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "timecode.h"
#include "xmalloc.h"

static void
tc_help(void)
{
	printf("Usage: mcr tc TIMECODE|FRAMES [(+|-) TIMECODE|FRAMES]... "
	    "--rate RATE\n"
	    "              [--to RATE [--same-label]] [--json]\n"
	    "SMPTE timecode for operators. A timecode prints its frame count "
	    "from 00:00:00:00,\na frame count prints its timecode, and a sum "
	    "or difference prints a timecode,\nwrapped at 24 hours. Timecode "
	    "is HH:MM:SS:FF; ';' (or '.') before the frames\nmarks "
	    "drop-frame, but --rate decides how labels count. Quote ';' in "
	    "the shell.\n\n"
	    "      --rate RATE     23.976, 24, 25, 29.97df, 29.97, 30, 50, "
	    "59.94df, 59.94 or 60;\n"
	    "                      29.97 and 59.94 are non-drop, df is "
	    "drop-frame\n"
	    "      --to RATE       show the result at RATE, at the same real "
	    "time (nearest\n"
	    "                      frame); a frame count stays a frame count\n"
	    "      --same-label    with --to: keep the label instead, between "
	    "rates that count\n"
	    "                      the same frames a second (29.97df and "
	    "29.97, 23.976 and 24)\n"
	    "      --json          print {rate, drop_frame, frames, timecode, "
	    "from, conversion}\n"
	    "  -h, --help          show this help and exit\n\n"
	    "Examples:\n"
	    "  mcr tc '01:00:00;00' --rate 29.97df          107892\n"
	    "  mcr tc 17982 --rate 29.97df                  00:10:00;00\n"
	    "  mcr tc 10:00:00:00 + 00:00:30:00 --rate 25   10:00:30:00\n"
	    "  mcr tc 10:00:00:00 --rate 25 --to 29.97df    10:00:00;01\n");
}

/* A word the option parser must not see: a value, an operator, or a
 * negative frame count. */
static bool
tc_is_operand(const char *s)
{
	return s[0] != '-' || s[1] == '\0' || (s[1] >= '0' && s[1] <= '9');
}

/* Where getopt must stop: "-", "--" and negative numbers are ours. */
static bool
tc_stops_getopt(const char *s)
{
	return s[0] == '-' && (s[1] == '\0' || strcmp(s, "--") == 0 ||
	    (s[1] >= '0' && s[1] <= '9'));
}

/* An optionally signed decimal frame count. */
static bool
tc_is_count(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/* Reads one value at rate r into *frames; *is_tc says which form it had. */
static int
tc_value(struct cmd_ctx *ctx, const char *word, const struct tc_rate *r,
    int64_t *frames, bool *is_tc)
{
	char err[320];
	int rc;

	*is_tc = !tc_is_count(word);
	if (!*is_tc) {
		errno = 0;
		*frames = strtoll(word, NULL, 10);
		if (errno == ERANGE)
			return cmd_usage_error(ctx, "the frame count %s is out "
			    "of range", word);
		return 0;
	}
	rc = tc_parse(word, r, frames, err, sizeof err);
	if (rc == TC_ESYNTAX)
		return cmd_usage_error(ctx, "%s, or a frame count", err);
	if (rc != TC_OK)
		return cmd_error("%s", err);
	return 0;
}

static json_t *
tc_json(const struct tc_rate *r, int64_t frames)
{
	char buf[TC_FORMAT_SIZE];

	return json_pack("{s:s, s:b, s:I, s:s}", "rate", r->name,
	    "drop_frame", r->drop != 0, "frames", (json_int_t)frames,
	    "timecode", tc_format(frames, r, buf, sizeof buf));
}

int
cmd_tc(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_RATE = CMD_OPT_VERB, OPT_TO, OPT_SAME_LABEL };
	static const struct option longopts[] = {
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "to", required_argument, NULL, OPT_TO },
		{ "same-label", no_argument, NULL, OPT_SAME_LABEL },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	const struct tc_rate *rate = NULL, *to = NULL;
	bool json = false, same_label = false, is_tc, first_tc = false;
	char err[320], buf[TC_FORMAT_SIZE], **words;
	int64_t result = 0, v, out;
	int c, pos = 1, base, end, n = 0, i, rc = CMD_EXIT_ERROR;

	/* getopt would take "-" and "-25" for options, so the words are
	 * collected here and getopt sees only the runs of options between
	 * them, each run from a fresh start (optind = 0). */
	words = xcalloc((size_t)argc, sizeof *words);
	while (pos < argc) {
		if (strcmp(argv[pos], "--") == 0) {
			while (++pos < argc)
				words[n++] = argv[pos];
			break;
		}
		if (tc_is_operand(argv[pos])) {
			words[n++] = argv[pos++];
			continue;
		}
		for (end = pos + 1; end < argc && !tc_stops_getopt(argv[end]);
		    end++)
			;
		base = pos - 1;
		optind = 0;
		while ((c = cmd_getopt(ctx, end - base, argv + base, "+h",
		    longopts)) != -1) {
			switch (c) {
			case OPT_RATE:
			case OPT_TO:
				if (tc_rate_parse(optarg, c == OPT_RATE ?
				    &rate : &to, err, sizeof err) != TC_OK) {
					cmd_usage_error(ctx, "--%s %s", c ==
					    OPT_RATE ? "rate" : "to", err);
					goto out;
				}
				break;
			case OPT_SAME_LABEL:
				same_label = true;
				break;
			case CMD_OPT_JSON:
				json = true;
				break;
			case 'h':
				tc_help();
				rc = CMD_EXIT_OK;
				goto out;
			default:
				goto out;
			}
		}
		pos = base + optind;
	}

	if (n == 0) {
		cmd_usage_error(ctx, "give a timecode or a frame count");
		goto out;
	}
	if (rate == NULL) {
		cmd_usage_error(ctx, "give the frame rate with --rate: 23.976, "
		    "24, 25, 29.97df, 29.97, 30, 50, 59.94df, 59.94 or 60");
		goto out;
	}
	if (same_label && to == NULL) {
		cmd_usage_error(ctx, "--same-label goes with --to RATE");
		goto out;
	}
	/* The shape first, so an error names the word that breaks it. */
	for (i = 0; i < n; i++) {
		bool op = strcmp(words[i], "+") == 0 ||
		    strcmp(words[i], "-") == 0;

		if (i % 2 == 0 && op) {
			cmd_usage_error(ctx, "expected a timecode or a frame "
			    "count %s '%s'", i == 0 ? "before" : "after",
			    i == 0 ? words[i] : words[i - 1]);
			goto out;
		}
		if (i % 2 == 1 && !op) {
			cmd_usage_error(ctx, "expected '+' or '-' between "
			    "'%s' and '%s'", words[i - 1], words[i]);
			goto out;
		}
	}
	if (n % 2 == 0) {
		cmd_usage_error(ctx, "'%s' at the end needs a timecode or a "
		    "frame count after it", words[n - 1]);
		goto out;
	}
	for (i = 0; i < n; i += 2) {
		if (tc_value(ctx, words[i], rate, &v, &is_tc) != 0)
			goto out;
		if (i == 0) {
			result = v;
			first_tc = is_tc;
		} else if (words[i - 1][0] == '+')
			result = tc_add(result, v, rate);
		else
			result = tc_sub(result, v, rate);
	}

	out = result;
	if (to != NULL && same_label) {
		if (tc_convert_label(result, rate, to, &out, err,
		    sizeof err) != TC_OK) {
			cmd_error("%s", err);
			goto out;
		}
	} else if (to != NULL)
		out = tc_convert(result, rate, to);

	if (json) {
		json_t *doc = tc_json(to != NULL ? to : rate, out);

		json_object_set_new(doc, "from", to != NULL ?
		    tc_json(rate, result) : json_null());
		json_object_set_new(doc, "conversion", to == NULL ?
		    json_null() : json_string(same_label ? "label" : "time"));
		rc = cmd_json_print(doc);
		goto out;
	}
	/* One value flips form; with --to, a count stays a count. */
	if (n == 1 && first_tc == (to == NULL))
		printf("%lld\n", (long long)out);
	else
		printf("%s\n", tc_format(out, to != NULL ? to : rate, buf,
		    sizeof buf));
	if (fflush(stdout) != 0 || ferror(stdout))
		cmd_error("cannot write to standard output");
	else
		rc = CMD_EXIT_OK;
out:
	free(words);
	return rc;
}
