/*
 * jsonget: reads one JSON document on stdin and prints the value at a dotted
 * path ("events.0.message"; "" is the root). Strings print raw, other values
 * as compact JSON; "length:PATH" prints an array's or object's size. Exit 0,
 * 1 when the path is absent, 2 when stdin is not one JSON document. The
 * shell tests use it to assert on `mcr --json` output.
 */
#include "autoconfig.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	json_error_t error;
	json_t *doc, *v;
	const char *path;
	char *copy, *part, *save = NULL;
	int length = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: jsonget [length:]PATH < DOC\n");
		return 2;
	}
	path = argv[1];
	if (strncmp(path, "length:", 7) == 0) {
		length = 1;
		path += 7;
	}
	doc = json_loadf(stdin, 0, &error);
	if (doc == NULL) {
		fprintf(stderr, "jsonget: not JSON: %s (line %d)\n", error.text,
		    error.line);
		return 2;
	}
	v = doc;
	copy = strdup(path);
	for (part = strtok_r(copy, ".", &save); part != NULL && v != NULL;
	    part = strtok_r(NULL, ".", &save)) {
		if (json_is_array(v))
			v = json_array_get(v, strtoul(part, NULL, 10));
		else
			v = json_object_get(v, part);
	}
	free(copy);
	if (v == NULL)
		return 1;
	if (length)
		printf("%zu\n", json_is_array(v) ? json_array_size(v) :
		    json_object_size(v));
	else if (json_is_string(v))
		printf("%s\n", json_string_value(v));
	else {
		json_dumpf(v, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
		putchar('\n');
	}
	json_decref(doc);
	return 0;
}
