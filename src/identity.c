/*
 * identity: the user comes from the password database, not from $USER, so
 * the audit trail names the account that really ran the command.
 */
#include "autoconfig.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "identity.h"
#include "strutil.h"

void
identity_get(struct identity *id)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *ssh = getenv("SSH_CONNECTION");

	memset(id, 0, sizeof *id);
	if (pw != NULL && pw->pw_name != NULL)
		strutil_copy(id->user, pw->pw_name, sizeof id->user);
	else
		strutil_format(id->user, sizeof id->user, "uid%lu",
		    (unsigned long)geteuid());
	if (gethostname(id->host, sizeof id->host - 1) != 0 ||
	    id->host[0] == '\0')
		strutil_copy(id->host, "localhost", sizeof id->host);

	/* SSH_CONNECTION is "client-ip client-port server-ip server-port". */
	if (ssh != NULL) {
		size_t n = strcspn(ssh, " ");

		if (n > 0 && n < sizeof id->ssh_client) {
			memcpy(id->ssh_client, ssh, n);
			id->ssh_client[n] = '\0';
		}
	}
}
