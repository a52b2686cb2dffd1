// SPDX-License-Identifier: GPL-2.0
/*
 * Event description parser, print-format generator and payload validator.
 * Builds in the module and in userspace; see uevt_desc.h.
 */
#include "uevt_desc.h"

struct scalar_type {
	const char *name;
	u8 size;
	bool is_signed;
};

/* Every spelling a field's type may have; arrays are built of these. */
static const struct scalar_type scalar_types[] = {
	{ "u8", 1, false },		{ "s8", 1, true },
	{ "u16", 2, false },		{ "s16", 2, true },
	{ "u32", 4, false },		{ "s32", 4, true },
	{ "u64", 8, false },		{ "s64", 8, true },
	{ "__u8", 1, false },		{ "__s8", 1, true },
	{ "__u16", 2, false },		{ "__s16", 2, true },
	{ "__u32", 4, false },		{ "__s32", 4, true },
	{ "__u64", 8, false },		{ "__s64", 8, true },
	{ "bool", 1, false },
	{ "char", 1, true },		{ "signed char", 1, true },
	{ "unsigned char", 1, false },
	{ "short", 2, true },		{ "signed short", 2, true },
	{ "unsigned short", 2, false },
	{ "int", 4, true },		{ "signed int", 4, true },
	{ "unsigned int", 4, false },	{ "unsigned", 4, false },
	{ "long", 8, true },		{ "signed long", 8, true },
	{ "unsigned long", 8, false },
	{ "long long", 8, true },	{ "signed long long", 8, true },
	{ "unsigned long long", 8, false },
};

static const struct scalar_type *find_scalar(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scalar_types); i++) {
		if (strlen(scalar_types[i].name) == len &&
		    !memcmp(scalar_types[i].name, name, len))
			return &scalar_types[i];
	}
	return NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_';
}

/**
 * uevt_valid_name() - check an event or field name
 * @name: the name, not necessarily NUL-terminated.
 * @len: its length.
 *
 * Return: true when @name is 1..UEVT_NAME_MAX-1 characters of
 * [A-Za-z0-9_] and does not start with a digit.
 */
bool uevt_valid_name(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len >= UEVT_NAME_MAX || is_digit(name[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!is_name_char(name[i]))
			return false;
	return true;
}

/* Parse a decimal number of at most 9 digits; false on anything else. */
static bool parse_u32(const char *s, size_t len, u32 *out)
{
	u32 v = 0;
	size_t i;

	if (len == 0 || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (u32)(s[i] - '0');
	}
	*out = v;
	return true;
}

#define MAX_WORDS 8

struct words {
	const char *w[MAX_WORDS];
	size_t len[MAX_WORDS];
	int n;
};

/* Split [s, end) at whitespace; -EINVAL when there are too many words. */
static int split_words(const char *s, const char *end, struct words *out)
{
	out->n = 0;
	while (s < end) {
		const char *start;

		while (s < end && is_space(*s))
			s++;
		if (s == end)
			break;
		if (out->n == MAX_WORDS)
			return -EINVAL;
		start = s;
		while (s < end && !is_space(*s))
			s++;
		out->w[out->n] = start;
		out->len[out->n] = s - start;
		out->n++;
	}
	return 0;
}

/* Append words [first, last) to the string pool, joined by one space,
 * with no space before '[' so "char [16]" and "char[16]" are the same.
 */
static const char *pool_join(char **pool, const struct words *w, int first, int last)
{
	char *start = *pool, *p = *pool;
	int i;

	for (i = first; i < last; i++) {
		if (i > first && w->w[i][0] != '[')
			*p++ = ' ';
		memcpy(p, w->w[i], w->len[i]);
		p += w->len[i];
	}
	*p++ = '\0';
	*pool = p;
	return start;
}

static const char *pool_copy(char **pool, const char *s, size_t len)
{
	char *start = *pool;

	memcpy(start, s, len);
	start[len] = '\0';
	*pool += len + 1;
	return start;
}

/* "TYPE[N]" or "TYPE[]": split off the bracket.  *count is 0 for "[]". */
static int split_array(const char *type, size_t len, size_t *base_len, u32 *count, bool *is_array)
{
	const char *open = memchr(type, '[', len);

	*is_array = open;
	if (!open) {
		*base_len = len;
		return 0;
	}
	if (type[len - 1] != ']' || open == type)
		return -EINVAL;
	*base_len = open - type;
	*count = 0;
	if (open + 1 == type + len - 1)
		return 0;
	if (!parse_u32(open + 1, type + len - 1 - (open + 1), count) ||
	    *count == 0 || *count > UEVT_ARRAY_MAX)
		return -EINVAL;
	return 0;
}

static int parse_dynamic(struct uevt_field *f, const struct words *w, char **pool)
{
	const struct scalar_type *st;
	size_t base_len;
	bool is_array;
	u32 count;
	int ret;

	/* __data_loc TYPE[] name */
	if (w->n < 3 || w->w[1][0] == '[')
		return -EINVAL;
	f->kind = w->len[0] == 10 ? UEVT_FIELD_DATA_LOC : UEVT_FIELD_REL_LOC;
	f->type = pool_join(pool, w, 0, w->n - 1);
	f->name = pool_copy(pool, w->w[w->n - 1], w->len[w->n - 1]);
	/* Element type: the words between the prefix and the name. */
	{
		const char *elem = f->type + w->len[0] + 1;

		ret = split_array(elem, strlen(elem), &base_len, &count, &is_array);
		if (ret || !is_array || count)
			return -EINVAL;
		st = find_scalar(elem, base_len);
		if (!st)
			return -EINVAL;
		f->is_string = base_len >= 4 && !memcmp(elem + base_len - 4, "char", 4);
	}
	f->size = 4;
	f->elem_size = st->size;
	f->is_signed = st->is_signed;
	return 0;
}

static int parse_struct(struct uevt_field *f, const struct words *w, char **pool)
{
	/* struct TYPENAME name size */
	if (w->n != 4 || !uevt_valid_name(w->w[1], w->len[1]) ||
	    !parse_u32(w->w[3], w->len[3], &f->size) ||
	    f->size == 0 || f->size > UEVT_PAYLOAD_MAX)
		return -EINVAL;
	f->kind = UEVT_FIELD_STRUCT;
	f->type = pool_join(pool, w, 0, 2);
	f->name = pool_copy(pool, w->w[2], w->len[2]);
	f->elem_size = 1;
	return 0;
}

static int parse_fixed(struct uevt_field *f, struct words *w, char **pool)
{
	const struct scalar_type *st;
	u32 given = 0, count = 1;
	bool has_size = false, is_array;
	size_t base_len;
	int ret;

	/* type name [size]: a trailing number is the size, when it fits. */
	if (w->n >= 3 && parse_u32(w->w[w->n - 1], w->len[w->n - 1], &given)) {
		has_size = true;
		w->n--;
	}
	if (w->n < 2)
		return -EINVAL;
	f->type = pool_join(pool, w, 0, w->n - 1);
	f->name = pool_copy(pool, w->w[w->n - 1], w->len[w->n - 1]);

	ret = split_array(f->type, strlen(f->type), &base_len, &count, &is_array);
	if (ret || (is_array && !count))
		return -EINVAL;
	st = find_scalar(f->type, base_len);
	if (!st)
		return -EINVAL;
	f->kind = is_array ? UEVT_FIELD_ARRAY : UEVT_FIELD_SCALAR;
	f->elem_size = st->size;
	f->is_signed = st->is_signed;
	f->is_string = is_array && base_len >= 4 &&
		       !memcmp(f->type + base_len - 4, "char", 4);
	f->size = st->size * count;
	if (has_size && given != f->size)
		return -EINVAL;
	return 0;
}

static int parse_field(struct uevt_desc *d, const char *s, const char *end, char **pool)
{
	struct uevt_field *f = &d->fields[d->nfields];
	struct words w;
	u32 i;
	int ret;

	ret = split_words(s, end, &w);
	if (ret)
		return ret;
	if (w.n == 0)
		return 0;	/* empty segment, e.g. a trailing ';' */
	if (d->nfields == UEVT_FIELDS_MAX)
		return -E2BIG;

	if ((w.len[0] == 10 && !memcmp(w.w[0], "__data_loc", 10)) ||
	    (w.len[0] == 9 && !memcmp(w.w[0], "__rel_loc", 9)))
		ret = parse_dynamic(f, &w, pool);
	else if (w.len[0] == 6 && !memcmp(w.w[0], "struct", 6))
		ret = parse_struct(f, &w, pool);
	else
		ret = parse_fixed(f, &w, pool);
	if (ret)
		return ret;

	if (strlen(f->type) >= UEVT_TYPE_MAX ||
	    !uevt_valid_name(f->name, strlen(f->name)) ||
	    !strncmp(f->name, "common_", 7))
		return -EINVAL;
	for (i = 0; i < d->nfields; i++)
		if (!strcmp(d->fields[i].name, f->name))
			return -EINVAL;

	f->offset = d->fixed_size;
	if (f->size > UEVT_PAYLOAD_MAX - d->fixed_size)
		return -E2BIG;
	d->fixed_size += f->size;
	if (f->kind == UEVT_FIELD_DATA_LOC || f->kind == UEVT_FIELD_REL_LOC)
		d->ndynamic++;
	d->nfields++;
	return 0;
}

/**
 * uevt_desc_parse() - parse an event description
 * @text: NUL-terminated description, "name[:flags] type field; ...".
 * @out: on success, the parsed description; free with uevt_desc_free().
 *
 * No name flags are defined yet, so any ":flags" is rejected.
 *
 * Return: 0, -EINVAL for a malformed description, -E2BIG when a limit of
 * uevt_desc.h is exceeded, -ENOMEM.
 */
int uevt_desc_parse(const char *text, struct uevt_desc **out)
{
	size_t len = strnlen(text, UEVT_DESC_MAX);
	const char *s = text, *end = text + len, *name;
	size_t nsegs = 1, name_len, i;
	struct uevt_desc *d;
	char *pool;
	int ret;

	if (len == UEVT_DESC_MAX)
		return -E2BIG;
	for (i = 0; i < len; i++)
		if (text[i] == ';')
			nsegs++;
	if (nsegs > UEVT_FIELDS_MAX + 1)
		return -E2BIG;

	/* The pool holds every name and type once, no longer than the text. */
	d = uevt_desc_alloc(sizeof(*d) + nsegs * sizeof(d->fields[0]) + 2 * len + 2);
	if (!d)
		return -ENOMEM;
	pool = (char *)&d->fields[nsegs];

	while (s < end && is_space(*s))
		s++;
	name = s;
	while (s < end && !is_space(*s) && *s != ':' && *s != ';')
		s++;
	name_len = s - name;
	ret = -EINVAL;
	if (!uevt_valid_name(name, name_len) || (s < end && *s == ':'))
		goto fail;
	d->name = pool_copy(&pool, name, name_len);

	while (s < end) {
		const char *seg = s;

		while (s < end && *s != ';')
			s++;
		ret = parse_field(d, seg, s, &pool);
		if (ret)
			goto fail;
		if (s < end)
			s++;	/* the ';' */
	}
	*out = d;
	return 0;
fail:
	uevt_desc_release(d);
	return ret;
}

/**
 * uevt_desc_free() - free a description from uevt_desc_parse()
 * @desc: the description, or NULL.
 */
void uevt_desc_free(struct uevt_desc *desc)
{
	uevt_desc_release(desc);
}

/**
 * uevt_desc_same_fields() - do two descriptions define the same record?
 * @a: one description.
 * @b: the other.
 *
 * Names of the events are not compared, only the fields: their types
 * (as normalised), names and sizes, in order.
 *
 * Return: true when they are the same.
 */
bool uevt_desc_same_fields(const struct uevt_desc *a, const struct uevt_desc *b)
{
	u32 i;

	if (a->nfields != b->nfields)
		return false;
	for (i = 0; i < a->nfields; i++) {
		const struct uevt_field *fa = &a->fields[i], *fb = &b->fields[i];

		if (fa->size != fb->size || strcmp(fa->type, fb->type) ||
		    strcmp(fa->name, fb->name))
			return false;
	}
	return true;
}

/* snprintf-like append that keeps counting past the end of @buf. */
struct fmt_buf {
	char *buf;
	size_t len;
	size_t pos;
};

static void put_str(struct fmt_buf *b, const char *s)
{
	for (; *s; s++, b->pos++)
		if (b->pos + 1 < b->len)
			b->buf[b->pos] = *s;
}

/*
 * Length modifiers matter: libtraceevent sign-extends 8- and 16-bit fields
 * by them, not by the field's size.  Standing in for the built-in, fields
 * print as it spells them (all int), because tools and tests written for
 * it compare the string; its decoders then show negative 8- and 16-bit
 * values as unsigned, as they do for the built-in.
 */
static const char *int_conv(const struct uevt_field *f, bool as_builtin)
{
	if (f->elem_size == 1 && !as_builtin)
		return f->is_signed ? "%hhd" : "%hhu";
	if (f->elem_size == 2 && !as_builtin)
		return f->is_signed ? "%hd" : "%hu";
	if (f->elem_size <= 4)
		return f->is_signed ? "%d" : "%u";
	return f->is_signed ? "%lld" : "%llu";
}

/**
 * uevt_desc_print_fmt() - build the tracefs "print fmt" of an event
 * @desc: the description.
 * @as_builtin: spell 8- and 16-bit integers as the built-in user_events
 *	does (%d, %u) rather than with length modifiers (%hhd, %hd...).
 * @buf: output buffer (may be NULL when @len is 0).
 * @len: its size.
 *
 * Strings print with %s, integers with their C conversion, everything
 * else (arrays, structs, dynamic non-char arrays) as hex via __print_hex.
 *
 * Return: the length the full string needs without the NUL, like
 * snprintf(); the output is truncated (and NUL-terminated) to @len.
 */
int uevt_desc_print_fmt(const struct uevt_desc *desc, bool as_builtin, char *buf, size_t len)
{
	struct fmt_buf b = { buf, len, 0 };
	u32 i;

	put_str(&b, "\"");
	for (i = 0; i < desc->nfields; i++) {
		const struct uevt_field *f = &desc->fields[i];

		if (i)
			put_str(&b, " ");
		put_str(&b, f->name);
		put_str(&b, "=");
		if (f->kind == UEVT_FIELD_SCALAR)
			put_str(&b, int_conv(f, as_builtin));
		else
			put_str(&b, "%s");
	}
	put_str(&b, "\"");
	for (i = 0; i < desc->nfields; i++) {
		const struct uevt_field *f = &desc->fields[i];
		bool rel = f->kind == UEVT_FIELD_REL_LOC;

		put_str(&b, ", ");
		switch (f->kind) {
		case UEVT_FIELD_SCALAR:
			put_str(&b, "REC->");
			put_str(&b, f->name);
			break;
		case UEVT_FIELD_ARRAY:
		case UEVT_FIELD_STRUCT:
			if (f->is_string) {
				put_str(&b, "REC->");
				put_str(&b, f->name);
				break;
			}
			put_str(&b, "__print_hex(REC->");
			put_str(&b, f->name);
			put_str(&b, ", sizeof(REC->");
			put_str(&b, f->name);
			put_str(&b, "))");
			break;
		case UEVT_FIELD_DATA_LOC:
		case UEVT_FIELD_REL_LOC:
			if (f->is_string) {
				put_str(&b, rel ? "__get_rel_str(" : "__get_str(");
				put_str(&b, f->name);
				put_str(&b, ")");
				break;
			}
			put_str(&b, rel ? "__print_hex(__get_rel_dynamic_array(" :
					  "__print_hex(__get_dynamic_array(");
			put_str(&b, f->name);
			put_str(&b, rel ? "), __get_rel_dynamic_array_len(" :
					  "), __get_dynamic_array_len(");
			put_str(&b, f->name);
			put_str(&b, "))");
			break;
		}
	}
	if (len)
		buf[b.pos < len ? b.pos : len - 1] = '\0';
	return (int)b.pos;
}

/**
 * uevt_desc_validate() - check a record before any consumer sees it
 * @desc: the event's description.
 * @record: the record: UEVT_ENTRY_SIZE header bytes, then the payload.
 * @len: bytes in @record.
 *
 * Every dynamic field must describe bytes inside the dynamic part of the
 * payload, in whole elements, and a string must end with its NUL.
 *
 * Return: 0, -EINVAL when the payload is shorter than the fixed fields,
 * -EFAULT when a dynamic location points outside the payload (the errno
 * user_events uses, and for a string without its NUL, as user_events
 * does: programs written for it expect EFAULT for both).
 */
int uevt_desc_validate(const struct uevt_desc *desc, const void *record, size_t len)
{
	const u8 *rec = record;
	u32 i;

	if (len < UEVT_ENTRY_SIZE + desc->fixed_size)
		return -EINVAL;
	if (!desc->ndynamic)
		return 0;

	for (i = 0; i < desc->nfields; i++) {
		const struct uevt_field *f = &desc->fields[i];
		size_t field_pos = UEVT_ENTRY_SIZE + f->offset;
		size_t start, size;
		u32 loc;

		if (f->kind != UEVT_FIELD_DATA_LOC && f->kind != UEVT_FIELD_REL_LOC)
			continue;
		loc = uevt_get_u32(rec + field_pos);
		size = loc >> 16;
		start = loc & 0xffff;
		if (f->kind == UEVT_FIELD_REL_LOC)
			start += field_pos + 4;

		if (size % f->elem_size)
			return -EFAULT;
		if (size == 0 && !f->is_string)
			continue;
		if (start < UEVT_ENTRY_SIZE + desc->fixed_size || start > len ||
		    size > len - start)
			return -EFAULT;
		if (f->is_string && (size == 0 || rec[start + size - 1] != '\0'))
			return -EFAULT;
	}
	return 0;
}
