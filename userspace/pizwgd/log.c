// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "log.h"

void log_vmsg(int pri, const char *who, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (who && who[0])
		fprintf(stderr, "<%d>pizwgd[%s]: %s\n", pri, who, line);
	else
		fprintf(stderr, "<%d>pizwgd: %s\n", pri, line);
	fflush(stderr);
}

void log_msg(int pri, const char *who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(pri, who, fmt, ap);
	va_end(ap);
}
