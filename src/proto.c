/*
 * proto: reading and writing the worker protocol's lines (see proto.h).
 * Both sides check the same shapes, so a plugin bug shows as a clear
 * protocol error in the job's log instead of a half-understood update.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "strutil.h"

static const char *const names[] = {
	[PROTO_PROGRESS] = "progress",
	[PROTO_METER] = "meter",
	[PROTO_FINDING] = "finding",
	[PROTO_EVENT] = "event",
	[PROTO_SAMPLE] = "sample",
	[PROTO_STATE] = "state",
	[PROTO_RESULT] = "result",
	[PROTO_RECORD] = "record",
};

/* The keys each type must carry as strings. */
static const char *const required[][4] = {
	[PROTO_PROGRESS] = { NULL },
	[PROTO_METER] = { "name", NULL },
	[PROTO_FINDING] = { "severity", "code", "message", NULL },
	[PROTO_EVENT] = { "severity", "kind", "message", NULL },
	[PROTO_SAMPLE] = { "series", "key", NULL },
	[PROTO_STATE] = { "key", NULL },
	[PROTO_RESULT] = { "status", NULL },
	[PROTO_RECORD] = { "type", NULL },
};

const char *
proto_type_name(enum proto_type type)
{
	return names[type];
}

int
proto_parse(const char *line, enum proto_type *type, json_t **body,
    char *err, size_t errlen)
{
	size_t n = strcspn(line, " "), i;
	json_error_t jerr;
	json_t *j;
	int t = -1;

	*body = NULL;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i]) == n && strncmp(line, names[i], n) == 0)
			t = (int)i;
	}
	if (t < 0) {
		strutil_format(err, errlen, "unknown message type '%.*s'",
		    (int)(n > 32 ? 32 : n), line);
		return -1;
	}
	if (line[n] != ' ') {
		strutil_format(err, errlen, "%s message without its JSON body",
		    names[t]);
		return -1;
	}
	j = json_loads(line + n + 1, 0, &jerr);
	if (j == NULL || !json_is_object(j)) {
		strutil_format(err, errlen, "%s message body is not a JSON "
		    "object: %s", names[t], j == NULL ? jerr.text : "other");
		json_decref(j);
		return -1;
	}
	for (i = 0; required[t][i] != NULL; i++) {
		if (!json_is_string(json_object_get(j, required[t][i]))) {
			strutil_format(err, errlen, "%s message lacks the "
			    "string '%s'", names[t], required[t][i]);
			json_decref(j);
			return -1;
		}
	}
	if (t == PROTO_METER &&
	    !json_is_number(json_object_get(j, "value"))) {
		strutil_format(err, errlen, "meter message lacks a number "
		    "'value'");
		json_decref(j);
		return -1;
	}
	if ((t == PROTO_SAMPLE || t == PROTO_RECORD) &&
	    !json_is_object(json_object_get(j, "data"))) {
		strutil_format(err, errlen, "%s message lacks an object "
		    "'data'", names[t]);
		json_decref(j);
		return -1;
	}
	*type = (enum proto_type)t;
	*body = j;
	return 0;
}

int
proto_write(FILE *f, enum proto_type type, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	int rc = 0;

	json_decref(body);
	if (s == NULL)
		return -1;
	if (fprintf(f, "%s %s\n", names[type], s) < 0 || fflush(f) != 0)
		rc = -1;
	free(s);
	return rc;
}

/* The characters of a record's type. */
static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
/* A record line as proto_write_record() writes it: HEAD type MID data }. */
#define RECORD_HEAD "record {\"type\":\""
#define RECORD_MID "\",\"data\":"

int
proto_write_record(FILE *f, const char *type, const char *data)
{
	size_t tn = strlen(type), dn = strlen(data);

	if (tn == 0 || tn > 64 || strspn(type, name_chars) != tn)
		return -2;
	if (dn < 2 || data[0] != '{' || data[dn - 1] != '}' ||
	    dn + tn + 40 > PROTO_MAX_LINE || memchr(data, '\n', dn) != NULL ||
	    memchr(data, '\r', dn) != NULL)
		return -2;
	if (fprintf(f, RECORD_HEAD "%s" RECORD_MID "%s}\n", type, data) < 0)
		return -1;
	return 0;
}

bool
proto_record_text(const char *line, const char **type, size_t *tlen,
    const char **data, size_t *dlen)
{
	const size_t hn = sizeof RECORD_HEAD - 1, mn = sizeof RECORD_MID - 1;
	const char *t, *d;
	size_t tn, n;

	if (strncmp(line, RECORD_HEAD, hn) != 0)
		return false;
	t = line + hn;
	tn = strspn(t, name_chars);
	if (tn == 0 || tn > 64 || strncmp(t + tn, RECORD_MID, mn) != 0)
		return false;
	d = t + tn + mn;
	n = strlen(d);
	/* the object, then the closing brace of the message */
	if (n < 3 || d[0] != '{' || d[n - 2] != '}' || d[n - 1] != '}')
		return false;
	*type = t;
	*tlen = tn;
	*data = d;
	*dlen = n - 1;
	return true;
}

int
proto_flush(FILE *f)
{
	return fflush(f) != 0 ? -1 : 0;
}
