import { ImapFlow } from 'imapflow';
import { MailboxConnectionError, type MailboxConnector, type MailboxSession, type MailboxSettings } from '../domain/intake/mailbox.ts';

/*
 * The intake mailboxes over IMAP with imapflow. A poll opens one connection, reads the new mails
 * (all of them before it runs any other command: imapflow cannot interleave commands with a
 * running FETCH), puts each handled one aside and logs out.
 */

const CONNECTION_TIMEOUT_MS = 20_000;
/** Flagged mails get this keyword too, so a person can see which mails Rådssvar has read. */
const PROCESSED_KEYWORD = '$Raadssvar';

/** Words for the admin, from imapflow's error: never the password, never the server's whole reply. */
function explain(error: unknown, settings: MailboxSettings): MailboxConnectionError {
  const e = error as { authenticationFailed?: boolean; tlsFailed?: boolean; mailboxMissing?: boolean; code?: string };
  if (e.authenticationFailed) return new MailboxConnectionError('Serveren afviste brugernavn eller adgangskode');
  if (e.tlsFailed) return new MailboxConnectionError('TLS-forbindelsen kunne ikke oprettes (tjek port og TLS-valget)');
  if (e.mailboxMissing) return new MailboxConnectionError(`Mappen „${settings.folder}“ findes ikke på serveren`);
  if (e.code === 'ECONNREFUSED') return new MailboxConnectionError(`Serveren ${settings.host}:${settings.port} afviste forbindelsen`);
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new MailboxConnectionError(`Serveren ${settings.host} findes ikke`);
  if (e.code === 'ETIMEDOUT' || e.code === 'CONNECT_TIMEOUT' || e.code === 'GREETING_TIMEOUT') {
    return new MailboxConnectionError(`Serveren ${settings.host}:${settings.port} svarede ikke`);
  }
  return new MailboxConnectionError(`Forbindelsen til postkassen mislykkedes (${e.code ?? 'ukendt fejl'})`);
}

/** The {@link MailboxConnector} over IMAP. */
export function imapMailboxConnector(): MailboxConnector {
  return {
    async open(settings: MailboxSettings): Promise<MailboxSession> {
      const client = new ImapFlow({
        host: settings.host,
        port: settings.port,
        secure: settings.tls,
        auth: { user: settings.username, pass: settings.password },
        logger: false,
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        greetingTimeout: CONNECTION_TIMEOUT_MS,
        socketTimeout: 5 * 60_000,
      });
      // A dropped connection emits 'error'; the running command rejects with it too.
      client.on('error', () => {});
      try {
        await client.connect();
      } catch (error) {
        throw explain(error, settings);
      }
      let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
      try {
        lock = await client.getMailboxLock(settings.folder);
      } catch (error) {
        await client.logout().catch(() => {});
        throw explain(error, settings);
      }
      const mailbox = client.mailbox;
      if (!mailbox) throw new MailboxConnectionError(`Mappen „${settings.folder}“ kunne ikke åbnes`);
      let processedFolderReady = false;
      return {
        uidValidity: Number(mailbox.uidValidity),
        async messagesAfter(afterUid, limit) {
          if (mailbox.exists === 0) return [];
          const found = await client.fetchAll(`${afterUid + 1}:*`, { uid: true, source: true }, { uid: true });
          // "n:*" also names the last mail when n is above every UID.
          return found
            .filter((m) => m.uid > afterUid && m.source)
            .sort((a, b) => a.uid - b.uid)
            .slice(0, limit)
            .map((m) => ({ uid: m.uid, source: m.source! }));
        },
        async markProcessed(uid) {
          if (settings.afterProcessing === 'flag') {
            await client.messageFlagsAdd(String(uid), ['\\Seen', '\\Flagged', PROCESSED_KEYWORD], { uid: true });
            return;
          }
          if (!processedFolderReady) {
            // An existing folder answers ALREADYEXISTS, which imapflow returns as created: false.
            await client.mailboxCreate(settings.processedFolder);
            processedFolderReady = true;
          }
          await client.messageMove(String(uid), settings.processedFolder, { uid: true });
        },
        async close() {
          lock.release();
          await client.logout().catch(() => client.close());
        },
      };
    },
  };
}
