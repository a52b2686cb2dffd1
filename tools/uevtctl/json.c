// SPDX-License-Identifier: GPL-2.0
/* JSON output: strings are the only part that needs care. */
#include <stdio.h>

#include "uevtctl.h"

/* Write @len bytes of @s as a JSON string (stops at a NUL). */
void json_string(FILE *out, const char *s, size_t len)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);	/* bytes, not UTF-8 */
		else
			fputc(c, out);
	}
	fputc('"', out);
}
