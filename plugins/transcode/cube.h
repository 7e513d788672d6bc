/*
 * cube: checks a .cube 3D LUT (the Adobe/Resolve text format) before the
 * engine hands it to libavfilter's lut3d, which says little about a bad
 * file. The check reads every line: keywords before the table, a
 * LUT_3D_SIZE from 2 to 256, three numbers a row, and exactly size^3
 * rows. Only libc.
 */
#ifndef MCR_TRANSCODE_CUBE_H
#define MCR_TRANSCODE_CUBE_H

#include <stddef.h>

/* Returns 0 with the table's size in *size, or -1 with one sentence that
 * names path and the line at fault in err. */
int cube_check(const char *path, int *size, char *err, size_t errlen);

#endif
