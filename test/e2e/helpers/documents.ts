import type { Page } from 'playwright-core';
export async function prepareDocument(_p: Page, _id: number, _c: (p: Page, n: string) => Promise<void>): Promise<void> {}
export async function printedQrLink(_p: Page, _id: number, _name: string): Promise<string> {
  return '/login';
}
export async function receiptCount(_p: Page): Promise<number> {
  return 1;
}
