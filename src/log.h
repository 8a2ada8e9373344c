/*
 * log.h - the one logging and fatal-error module of every smppd program
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

/* Python logging's numeric levels, as jasmin.cfg's log_level names them. */
#define LOGL_DEBUG	10
#define LOGL_INFO	20
#define LOGL_WARNING	30
#define LOGL_ERROR	40
#define LOGL_CRITICAL	50

#define LOG_FORMAT_DEFAULT	"%(asctime)s %(levelname)-8s %(process)d %(message)s"
#define LOG_DATEFMT_DEFAULT	"%Y-%m-%d %H:%M:%S"

struct log_conf {
	int		 level;		/* LOGL_* */
	const char	*file;		/* NULL, "" or "syslog": syslog */
	const char	*format;	/* Python logging format, NULL: default */
	const char	*datefmt;	/* strftime(3) format, NULL: default */
	const char	*name;		/* %(name)s, NULL: the program name */
	int		 foreground;	/* without a file: stderr, not syslog */
	int		 privacy;	/* log_privacy: mask numbers */
};

extern int log_level;

void	 log_init(const char *);
int	 log_configure(const struct log_conf *, char *, size_t);
int	 log_format_check(const char *, char *, size_t);
int	 log_reopen(void);
void	 log_prefix(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	 log_cleanup_hook(void (*)(void));
int	 log_level_parse(const char *);
const char *log_level_name(int);
char	*log_sanitize(char *, size_t, const void *, size_t);
char	*log_addr(char *, size_t, const char *);
char	*log_free_text(char *, size_t, const char *);

void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_crit(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_vlog(int, int, const char *, va_list)
	    __attribute__((format(printf, 3, 0)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 panic(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#define LOG_ENABLED(l)	((l) >= log_level)

#endif /* LOG_H */
