/*
 * test-strutil: the UTF-8 check that guards operator text, and the bounded
 * copy and format helpers, table-driven.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "tap.h"

static const struct {
	const char *name;
	const char *bytes;
	size_t len;	/* 0: strlen */
	bool valid;
} utf8_cases[] = {
	{ "ASCII", "VTR 3 head clog", 0, true },
	{ "empty", "", 0, true },
	{ "two-byte (é)", "caf\xc3\xa9", 0, true },
	{ "three-byte (✓)", "\xe2\x9c\x93", 0, true },
	{ "four-byte (🎬)", "\xf0\x9f\x8e\xac", 0, true },
	{ "lone continuation byte", "\x80", 0, false },
	{ "truncated two-byte", "\xc3", 0, false },
	{ "truncated three-byte", "\xe2\x9c", 0, false },
	{ "overlong slash (C0 AF)", "\xc0\xaf", 0, false },
	{ "overlong three-byte", "\xe0\x80\xaf", 0, false },
	{ "surrogate U+D800", "\xed\xa0\x80", 0, false },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", 0, false },
	{ "invalid lead 0xFF", "\xff\xfe", 0, false },
	{ "Latin-1 é", "caf\xe9", 0, false },
	{ "embedded NUL", "a\0b", 3, false },
};

int
main(void)
{
	char buf[8];
	size_t i;

	for (i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		size_t len = utf8_cases[i].len ? utf8_cases[i].len :
		    strlen(utf8_cases[i].bytes);

		tap_is_int(strutil_utf8_valid(utf8_cases[i].bytes, len),
		    utf8_cases[i].valid, "utf8: %s", utf8_cases[i].name);
	}

	{
		char fix[64];

		strutil_copy(fix, "A001_caf\xc3\xa9_\xe9t\xe9.mov", sizeof fix);
		strutil_utf8_fix(fix);
		tap_is_str(fix, "A001_caf\xc3\xa9_?t?.mov", "utf8 fix: Latin-1 "
		    "bytes become '?', UTF-8 stays");
		strutil_copy(fix, "clip_\xe2\x82", sizeof fix);
		strutil_utf8_fix(fix);
		tap_is_str(fix, "clip_??", "utf8 fix: a character cut short");
		strutil_copy(fix, "\xf0\x9f\x8e\xac\xc0\xaf", sizeof fix);
		strutil_utf8_fix(fix);
		tap_is_str(fix, "\xf0\x9f\x8e\xac??", "utf8 fix: four bytes "
		    "kept, an overlong replaced");
		tap_ok(strutil_utf8_valid(fix, strlen(fix)), "and the result "
		    "is well-formed");
	}

	tap_is_int(strutil_copy(buf, "0123456789", sizeof buf), 10,
	    "copy returns the source length");
	tap_is_str(buf, "0123456", "copy truncates and terminates");
	tap_is_int(strutil_format(buf, sizeof buf, "%d-%s", 42, "abcdef"), 9,
	    "format returns the untruncated length");
	tap_is_str(buf, "42-abcd", "format truncates and terminates");

	tap_ok(strutil_blank(" \t\n"), "whitespace is blank");
	tap_ok(!strutil_blank(" x "), "a word is not blank");
	strutil_copy(buf, "ab \n\t", sizeof buf);
	strutil_rtrim(buf);
	tap_is_str(buf, "ab", "rtrim removes trailing whitespace");

	{
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		strutil_html(f, "<a href=\"x\">R&D</a>\x1b[31m\tok\n");
		strutil_html(f, NULL);
		fclose(f);
		tap_is_str(out, "&lt;a href=&quot;x&quot;&gt;R&amp;D&lt;/a&gt;"
		    "&#9243;[31m\tok\n", "html escapes markup and shows "
		    "control characters as Control Pictures");
		free(out);
	}
	return tap_done();
}
