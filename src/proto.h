/*
 * proto: the worker protocol, version 1 — how mcrd hands a job to
 * mcr-worker and how the worker reports back. This header is its
 * documentation.
 *
 * mcrd -> worker, on stdin: one JSON document, then end of file.
 *
 *   {"protocol": 1,
 *    "job": {"id": 12, "kind": "storage.sample", "params": {"k": "v"},
 *            "attempt": 1},
 *    "plugin_dir": "/usr/local/lib/mcr",
 *    "volumes": [{"name": "production", "path": "/srv/prod",
 *                 "role": "production", "warn": 0.85, "crit": 0.95}],
 *    "config": [["key", "value"], ...],   the plugin's [PLUGIN] section
 *    "state": {"key": "value", ...}}       the plugin's persistent state
 *
 * The worker reads no config file: it runs on the config mcrd loaded, so
 * an edit that mcrd has not (yet) accepted cannot reach a job.
 *
 * worker -> mcrd, on stdout: one message per line, a type word, one space,
 * and a JSON object on the same line (UTF-8, at most PROTO_MAX_LINE bytes):
 *
 *   progress {"fraction": 0.42, "rate": 157286400, "unit": "B/s",
 *             "eta": 120, "subject": "A001C003.mov"}
 *             fraction, rate and eta are null when unknown
 *   meter    {"name": "momentary", "value": -23.1, "unit": "LUFS"}
 *   finding  {"severity": "warning", "code": "black",
 *             "position": "10:00:01:00", "message": "..."}
 *   event    {"severity": "warning", "kind": "storage.threshold",
 *             "subject": "production", "message": "..."}
 *   sample   {"series": "storage.volume", "key": "production",
 *             "data": {...}}
 *   state    {"key": "level.production", "value": "warn"}  (null removes)
 *   record   {"type": "media", "data": {...}}   a row for the shift log
 *   result   {"status": "done" | "failed" | "cancelled",
 *             "message": "one sentence", "data": {...},
 *             "permanent": true}   (optional: retrying cannot help)
 *
 * Records are sent in bursts: a record line may reach mcrd up to 20 ms
 * after the plugin filed it (or with the next other message, or at the
 * end), never out of order. mcrd files a record line written exactly as
 * proto_write_record() writes it without parsing it (the shift log checks
 * the JSON); any other line is parsed and checked here.
 *
 * result is the last line. The worker's stderr is the job's log file. A
 * worker that exits without a result, exits non-zero, or dies on a signal
 * has failed, whatever it printed; mcrd never reports done on its word
 * alone.
 */
#ifndef MCR_PROTO_H
#define MCR_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PROTO_VERSION 1
#define PROTO_MAX_LINE 65536

enum proto_type {
	PROTO_PROGRESS,
	PROTO_METER,
	PROTO_FINDING,
	PROTO_EVENT,
	PROTO_SAMPLE,
	PROTO_STATE,
	PROTO_RESULT,
	PROTO_RECORD,
};

/* Parses one line (without its newline). On success returns 0 and a new
 * reference in *body; otherwise -1 with one sentence in err. */
int proto_parse(const char *line, enum proto_type *type, json_t **body,
    char *err, size_t errlen);
/* Writes one message to f and flushes it; takes ownership of body.
 * Returns 0, or -1 when f failed. */
int proto_write(FILE *f, enum proto_type type, json_t *body);
/* Writes a record line around data, the text of a JSON object as a
 * plugin made it, without parsing it again (mcrd checks it as it checks
 * every line). Buffered: it goes out with the next proto_write() or
 * proto_flush(), or when f's buffer fills. Returns 0; -1 when f failed;
 * -2 when type is not a name (letters, digits, '.', '_', '-') or data is
 * not one line of at most PROTO_MAX_LINE bytes that opens an object. */
int proto_write_record(FILE *f, const char *type, const char *data);
/* True when line is a record line exactly as proto_write_record() writes
 * it: then *type (*tlen bytes, a name) and *data (*dlen bytes, the text
 * between and including the object's braces) point into line, unparsed;
 * whoever files the row checks the JSON (the shift log does). Any other
 * line goes through proto_parse(). */
bool proto_record_text(const char *line, const char **type, size_t *tlen,
    const char **data, size_t *dlen);
/* Sends what is buffered. Returns 0, or -1 when f failed. */
int proto_flush(FILE *f);
const char *proto_type_name(enum proto_type type);

#endif
