/*
 * test-profile: the transcode plugin's file readers without FFmpeg. Each
 * case writes a small file and checks what the reader says: a good .cube
 * and its size, a bad one and the file:line of the fault; profiles and
 * line-up specs likewise, and every profile shipped in etc/profiles reads.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/transcode/cube.h"
#include "../../plugins/transcode/profile.h"
#include "../tap.h"

static const char *
write_file(const char *name, const char *text)
{
	static char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tap_tmpdir(), name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 ||
	    fclose(f) != 0) {
		tap_diag("cannot write %s", path);
		exit(99);
	}
	return path;
}

#define CUBE2 "LUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n" \
	"0 1 1\n"

static const struct {
	const char *name;
	const char *text;
	int size;		/* 0: refused */
	const char *want;	/* in the error: ":LINE: what" */
} cubes[] = {
	{ "good", "# a comment\nTITLE \"id\"\nDOMAIN_MIN 0 0 0\n"
	    "DOMAIN_MAX 1 1 1\n" CUBE2 "1 1 1\n", 2, NULL },
	{ "crlf", "LUT_3D_SIZE 2\r\n0 0 0\r\n1 0 0\r\n0 1 0\r\n1 1 0\r\n"
	    "0 0 1\r\n1 0 1\r\n0 1 1\r\n1 1 1\r\n", 2, NULL },
	{ "short-row", "LUT_3D_SIZE 2\n0 0 0\n1 0\n", 0,
	    ":3: a table row wants three numbers" },
	{ "trailing", "LUT_3D_SIZE 2\n0 0 0 0\n", 0,
	    ":2: a table row wants three numbers (red green blue), and "
	    "nothing after them" },
	{ "too-few", CUBE2, 0, ":8: the table ends after 7 rows; "
	    "LUT_3D_SIZE 2 wants 8" },
	{ "too-many", CUBE2 "1 1 1\n1 1 1\n", 0, ":10: one row more" },
	{ "no-size", "0 0 0\n", 0, ":1: a table row before LUT_3D_SIZE" },
	{ "one-d", "LUT_1D_SIZE 4\n", 0, ":1: a 1D LUT" },
	{ "size", "LUT_3D_SIZE 1\n", 0, ":1: LUT_3D_SIZE wants a whole "
	    "number from 2 to 256" },
	{ "keyword-late", "LUT_3D_SIZE 2\n0 0 0\nTITLE \"x\"\n", 0,
	    ":3: a keyword after the table started" },
	{ "unknown", "LUT_3D_SIZE 2\nGAMMA 2.2\n", 0,
	    ":2: 'GAMMA 2.2' is not a .cube keyword" },
	{ "nan", "LUT_3D_SIZE 2\n0 nan 0\n", 0, ":2: a table row wants three numbers" },
	{ "empty", "", 0, ":0: no LUT_3D_SIZE" },
};

static const struct {
	const char *name;
	const char *text;
	const char *want;	/* NULL: it loads */
} profiles[] = {
	{ "ok", "[profile]\ncontainer = mov\n[video]\ncodec = prores_ks\n"
	    "pix_fmt = yuv422p10le\n[audio]\ncodec = pcm_s24le\n"
	    "layout = stereo\n", NULL },
	{ "unknown-key", "[profile]\ncontainer = mov\n[video]\ncodec = x\n"
	    "pix_fmt = yuv420p\nsharpness = 3\n", ":6: unknown key "
	    "'sharpness' in [video]" },
	{ "bad-rate", "[profile]\ncontainer = mov\n[video]\nrate = fast\n",
	    ":4: rate 'fast' is not a frame rate" },
	{ "odd-width", "[profile]\ncontainer = mov\n[video]\nwidth = 721\n",
	    ":4: width '721' is not an even number" },
	{ "bad-section", "[profile]\ncontainer = mov\n[colour]\nx = 1\n",
	    ":4: unknown section [colour]" },
	{ "no-container", "[profile]\ndescription = x\n",
	    "[profile] has no container" },
	{ "split-video", "[profile]\ncontainer = wav\n[video]\ncodec = x\n"
	    "pix_fmt = y\n[audio]\ncodec = pcm_s24le\nlayout = mono\n"
	    "split = yes\n", "split = yes makes one file a mono track" },
	{ "loudness", "[profile]\ncontainer = mp4\n[audio]\ncodec = aac\n"
	    "layout = stereo\nloudness = 14\n", ":6: loudness '14' is not "
	    "a target" },
	{ "naming", "[profile]\ncontainer = mov\nnaming = a/{name}\n",
	    ":3: naming 'a/{name}' names a file" },
};

int
main(void)
{
	char err[1024], **names = NULL, dir[1024];
	size_t i;
	int size, n, j;

	for (i = 0; i < sizeof cubes / sizeof cubes[0]; i++) {
		const char *path = write_file("t.cube", cubes[i].text);
		int rc;

		err[0] = '\0';
		size = 0;
		rc = cube_check(path, &size, err, sizeof err);
		if (cubes[i].size != 0) {
			tap_ok(rc == 0, "cube %s is accepted (%s)", cubes[i].name,
			    err);
			tap_is_int(size, cubes[i].size, "cube %s: its size",
			    cubes[i].name);
		} else {
			tap_ok(rc < 0, "cube %s is refused", cubes[i].name);
			tap_ok(strncmp(err, path, strlen(path)) == 0,
			    "cube %s: the error names the file (%s)",
			    cubes[i].name, err);
			tap_contains(err, cubes[i].want, "cube %s: the error "
			    "says where and what", cubes[i].name);
		}
	}
	tap_ok(cube_check("/nonexistent/x.cube", &size, err, sizeof err) < 0,
	    "a missing .cube is refused");
	tap_contains(err, "cannot open the LUT /nonexistent/x.cube",
	    "and the error says so");

	for (i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
		const char *path = write_file("p.ini", profiles[i].text);
		struct profile *p = profile_load(path, err, sizeof err);

		if (profiles[i].want == NULL)
			tap_ok(p != NULL, "profile %s loads (%s)",
			    profiles[i].name, p == NULL ? err : "");
		else {
			tap_ok(p == NULL, "profile %s is refused",
			    profiles[i].name);
			tap_contains(err, profiles[i].want, "profile %s: the "
			    "error says where and what", profiles[i].name);
		}
		profile_free(p);
	}

	/* Every shipped profile and line-up spec reads. */
	snprintf(dir, sizeof dir, "%s/../etc/profiles", getenv("TESTS_SRCDIR")
	    != NULL ? getenv("TESTS_SRCDIR") : "tests");
	n = profile_list(dir, &names, err, sizeof err);
	tap_ok(n >= 9, "etc/profiles has the profiles (%d)", n);
	for (j = 0; j < n; j++) {
		struct profile *p = profile_find(dir, names[j], err,
		    sizeof err);

		tap_ok(p != NULL, "etc/profiles/%s.ini reads (%s)", names[j],
		    p == NULL ? err : "");
		profile_free(p);
		free(names[j]);
	}
	free(names);
	{
		static const char *const specs[] = { "dpp-uk", "ebu-ident",
		    "smpte-hd" };
		struct lineup *l;

		for (i = 0; i < 3; i++) {
			l = lineup_find(dir, specs[i], err, sizeof err);
			tap_ok(l != NULL && l->programme != NULL,
			    "line-up spec %s reads (%s)", specs[i],
			    l == NULL ? err : "");
			lineup_free(l);
		}
		l = lineup_find(dir, write_file("l.ini", "[lineup]\n"
		    "programme = 10:00:00:00\nbars = pal\n"), err, sizeof err);
		tap_ok(l == NULL, "a line-up spec with unknown bars is refused");
		tap_contains(err, ":3: bars 'pal' is not ebu100 or smptehd",
		    "and the error says where");
		lineup_free(l);
		l = lineup_find(dir, "nosuch", err, sizeof err);
		tap_ok(l == NULL, "an unknown line-up spec is refused");
		tap_contains(err, "there is no line-up spec 'nosuch'",
		    "and the error says so");
	}
	return tap_done();
}
