// A block of code or signed text that may scroll sideways: focusable, so keyboard users can scroll it.
import { Code } from '@mantine/core';
import type { ReactNode } from 'react';

export function ScrollableCode({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Code block aria-label={label} tabIndex={0} role="region">
      {children}
    </Code>
  );
}
