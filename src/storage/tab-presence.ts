/**
 * Which ffbatch tabs are open now. Each tab takes a Web Lock of its own for its whole life;
 * a lock is let go when its tab closes or crashes, so another tab can tell a live tab's
 * work (its scratch folder, its running jobs) from what a gone tab left behind.
 */
// The scratch folders' lock name since issue 7: kept, so tabs of an earlier deployment stay recognised as open.
const LOCK_PREFIX = 'ffbatch-scratch-';
/** sessionStorage key of the tab's current page id: it outlives a reload of the tab, and no other tab reads it. */
const PAGE_ID_KEY = 'ffbatch.tabPageId';

export class TabPresence {
  private constructor(
    /** This page's id (also the name of its scratch folder). */
    readonly id: string,
    /** The id of the page this tab showed before it was reloaded, if it was. */
    private readonly previousId: string | null,
  ) {}

  /** Takes this tab's lock, held until the tab goes; null where the browser has no Web Locks. */
  static async open(): Promise<TabPresence | null> {
    if (typeof navigator === 'undefined' || !navigator.locks) return null;
    const id = crypto.randomUUID();
    try {
      await new Promise<void>((held, refused) => {
        navigator.locks
          .request(LOCK_PREFIX + id, () => {
            held();
            return new Promise<never>(() => {});
          })
          .catch(refused);
      });
    } catch {
      // Locks refused (an opaque origin, say): the page goes on as if it were the only tab.
      return null;
    }
    return new TabPresence(id, swapPageId(id));
  }

  /**
   * Whether `pageId` is this tab's: this page, or the page it showed before a reload (whose
   * lock may not be let go yet while the new page starts). A duplicated tab starts with a copy
   * of its original's sessionStorage, so it takes the original's jobs as its own.
   */
  isThisTab(pageId: string): boolean {
    return pageId === this.id || pageId === this.previousId;
  }

  /** The ids of the tabs open now, this one included. */
  async openTabs(): Promise<Set<string>> {
    const held = (await navigator.locks.query()).held ?? [];
    return new Set(held.flatMap((lock) => (lock.name?.startsWith(LOCK_PREFIX) ? [lock.name.slice(LOCK_PREFIX.length)] : [])));
  }
}

/** Stores this page's id for the tab and returns the one stored before (null in a new tab, or without sessionStorage). */
function swapPageId(id: string): string | null {
  try {
    const previous = sessionStorage.getItem(PAGE_ID_KEY);
    sessionStorage.setItem(PAGE_ID_KEY, id);
    return previous;
  } catch {
    return null;
  }
}
