// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the description parser and the payload validator:
 * the first half of the input is a description, the rest a record.  Run
 * under AddressSanitizer and UBSan; any crash, leak or out-of-bounds access
 * is a bug in the parser the kernel uses.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "uevt_desc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *split = memchr(data, '\n', size);
	size_t text_len = split ? (size_t)(split - data) : size;
	char text[UEVT_DESC_MAX + 8];
	struct uevt_desc *d = NULL;
	char fmt[256];

	if (text_len > UEVT_DESC_MAX + 4)
		text_len = UEVT_DESC_MAX + 4;
	memcpy(text, data, text_len);
	text[text_len] = '\0';
	if (uevt_desc_parse(text, &d))
		return 0;
	uevt_desc_print_fmt(d, size & 1, fmt, sizeof(fmt));
	if (split) {
		size_t rec_len = size - (size_t)(split - data) - 1;
		/* Copy so ASan catches any read past the record. */
		uint8_t *rec = __builtin_alloca(rec_len + 1);

		memcpy(rec, split + 1, rec_len);
		uevt_desc_validate(d, rec, rec_len);
	}
	uevt_desc_free(d);
	return 0;
}
