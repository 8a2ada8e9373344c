/*
 * smppbench_guess.h - smppbench --guess: a one-address password flood
 */
#ifndef SMPPBENCH_GUESS_H
#define SMPPBENCH_GUESS_H

struct smppbench_guess_opts {
	const char	*host;		/* IPv4 */
	int		 port;
	const char	*from;		/* local address, or NULL */
	const char	*user;
	const char	*password;	/* a wrong one */
	long long	 duration;	/* us */
};

struct smppbench_guess_result {
	long long		 t0, t1;	/* us */
	unsigned long long	 connections;	/* made */
	unsigned long long	 failed;	/* connect(2) failed */
	unsigned long long	 refused;	/* closed before any answer */
	unsigned long long	 sent;		/* binds written */
	unsigned long long	 answered;	/* bind_resp received */
};

void	 smppbench_guess(const struct smppbench_guess_opts *,
	    struct smppbench_guess_result *);

#endif /* SMPPBENCH_GUESS_H */
