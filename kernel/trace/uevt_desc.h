/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event description parser.  Self-contained: the same file builds in the
 * module and in userspace (unit tests, libFuzzer), so it uses nothing but
 * the few helpers declared in uevt_desc_env.h.
 *
 * Grammar:  name[:flags] [field[; field]...]
 *   field:  type name [size]
 *           struct TYPENAME name size
 *           __data_loc TYPE[] name
 *           __rel_loc TYPE[] name
 *   type:   u8 s8 u16 s16 u32 s32 u64 s64 bool char short int long
 *           (with "unsigned"/"signed", "long long"), and TYPE[N] arrays
 *           of those.
 */
#ifndef _UEVT_DESC_H
#define _UEVT_DESC_H

#include "uevt_desc_env.h"

#include <linux/uevt.h>	/* the limits, UEVT_*_MAX, are ABI */

enum uevt_field_kind {
	UEVT_FIELD_SCALAR,	/* integer of 1, 2, 4 or 8 bytes */
	UEVT_FIELD_ARRAY,	/* TYPE[N], fixed size */
	UEVT_FIELD_STRUCT,	/* struct NAME field SIZE, opaque bytes */
	UEVT_FIELD_DATA_LOC,	/* u32: size << 16 | offset from record start */
	UEVT_FIELD_REL_LOC,	/* u32: size << 16 | offset from field end */
};

/**
 * struct uevt_field - one parsed field
 * @kind: &enum uevt_field_kind.
 * @type: type as tracefs shows it, whitespace normalised
 *	("__data_loc char[]", "unsigned int", "char[16]").
 * @name: field name.
 * @offset: offset within the payload (add UEVT_ENTRY_SIZE for tracefs).
 * @size: bytes the field occupies in the fixed part of the payload.
 * @elem_size: size of one element (scalars: @size; dynamic: element).
 * @is_signed: integer elements are signed.
 * @is_string: char elements: a NUL-terminated string (dynamic) or a
 *	char array shown as one.
 */
struct uevt_field {
	enum uevt_field_kind kind;
	const char *type;
	const char *name;
	u32 offset;
	u32 size;
	u32 elem_size;
	bool is_signed;
	bool is_string;
};

/**
 * struct uevt_desc - a parsed event description; one allocation
 * @name: event name.
 * @nfields: number of entries in @fields.
 * @fixed_size: bytes of the fixed part of the payload (the minimum).
 * @ndynamic: fields of kind DATA_LOC or REL_LOC (to validate).
 * @fields: the fields in payload order, packed without padding.
 */
struct uevt_desc {
	const char *name;
	u32 nfields;
	u32 fixed_size;
	u32 ndynamic;
	struct uevt_field fields[];
};

int uevt_desc_parse(const char *text, struct uevt_desc **out);
void uevt_desc_free(struct uevt_desc *desc);
bool uevt_desc_same_fields(const struct uevt_desc *a, const struct uevt_desc *b);
int uevt_desc_print_fmt(const struct uevt_desc *desc, bool as_builtin, char *buf, size_t len);
int uevt_desc_validate(const struct uevt_desc *desc, const void *record, size_t len);
bool uevt_valid_name(const char *name, size_t len);

#endif /* _UEVT_DESC_H */
