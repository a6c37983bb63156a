/** Which sessions subscribed to which resource URI (the backend is subscribed once, by the first subscriber). */
import type { Session } from "./session.js";

export class Subscriptions {
  private readonly byUri = new Map<string, Set<Session>>();

  /** Adds a subscriber; true when it is the first for this URI. */
  add(uri: string, session: Session): boolean {
    let set = this.byUri.get(uri);
    const first = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.byUri.set(uri, set);
    }
    set.add(session);
    session.subscriptions.add(uri);
    return first;
  }

  /** Removes a subscriber; true when it was the last for this URI. */
  remove(uri: string, session: Session): boolean {
    session.subscriptions.delete(uri);
    const set = this.byUri.get(uri);
    if (set === undefined || !set.delete(session)) return false;
    if (set.size > 0) return false;
    this.byUri.delete(uri);
    return true;
  }

  subscribers(uri: string): Iterable<Session> {
    return this.byUri.get(uri) ?? [];
  }

  /** Drops a closing session; returns the URIs that have no subscriber left. */
  dropSession(session: Session): string[] {
    const orphaned: string[] = [];
    for (const uri of [...session.subscriptions]) if (this.remove(uri, session)) orphaned.push(uri);
    return orphaned;
  }
}
