// Importing systems from CSV or JSON: a dry run first, whose line errors are shown in place (beside
// the very line of the file they concern), then the import itself, all or nothing.
import { Badge, Button, FileInput, Group, Modal, ScrollArea, SegmentedControl, Stack, Table, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, rawFetch } from '../../api/client';
import type { Answer } from '../../api/types';
import { ErrorState } from '../../components/states';

type Report = Answer<'importSystems'>;
type Format = 'csv' | 'json';

/** Files up to this many lines are shown whole; longer ones show only the lines with errors. */
const SHOW_WHOLE_FILE = 300;

async function send(text: string, format: Format, dryRun: boolean): Promise<Report> {
  try {
    const response = await rawFetch(`/api/v1/systems/import?format=${format}&dryRun=${dryRun}`, {
      method: 'POST',
      headers: { 'content-type': format === 'csv' ? 'text/csv' : 'application/json' },
      body: text,
    });
    return (await response.json()) as Report;
  } catch (error) {
    // A refused import names its bad lines in the details, just as a dry run would.
    if (error instanceof ApiError && Array.isArray(error.details.invalid)) {
      return { valid: Number(error.details.valid ?? 0), invalid: error.details.invalid as Report['invalid'], imported: 0 };
    }
    throw error;
  }
}

/** The file's lines (CSV) or items (JSON), each with the errors the server found for it. */
export function linesInPlace(text: string, format: Format, report: Report): Array<{ line: number; text: string; errors: string[] }> {
  const errors = new Map(report.invalid.map((i) => [i.line, i.errors]));
  let lines: string[];
  if (format === 'csv') {
    lines = text.replace(/\r\n/g, '\n').split('\n');
  } else {
    try {
      const items = JSON.parse(text) as unknown;
      lines = Array.isArray(items) ? items.map((item) => JSON.stringify(item)) : [text];
    } catch {
      lines = [text];
    }
  }
  const all = lines.map((line, i) => ({ line: i + 1, text: line, errors: errors.get(i + 1) ?? [] }));
  const shown = lines.length <= SHOW_WHOLE_FILE ? all : all.filter((l) => l.errors.length > 0);
  return shown.filter((l) => l.text.trim() !== '' || l.errors.length > 0);
}

export function ImportDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [format, setFormat] = useState<Format>('csv');
  const [checked, setChecked] = useState<{ text: string; format: Format; report: Report } | null>(null);
  const dryRun = useMutation({
    mutationFn: () => send(text, format, true),
    onSuccess: (report) => setChecked({ text, format, report }),
  });
  const load = useMutation({
    mutationFn: () => send(text, format, false),
    onSuccess: async (report) => {
      if (report.invalid.length > 0) {
        setChecked({ text, format, report });
        return;
      }
      await queryClient.invalidateQueries({ queryKey: ['systems'] });
      notifications.show({ color: 'green', title: 'Imported', message: `${report.imported} systems were added to the inventory` });
      setText('');
      setChecked(null);
      onClose();
    },
  });
  const current = checked && checked.text === text && checked.format === format ? checked : null;
  const error = dryRun.error ?? load.error;
  const readFile = async (file: File | null) => {
    if (!file) return;
    setFormat(file.name.toLowerCase().endsWith('.json') ? 'json' : 'csv');
    setText(await file.text());
  };
  const lines = current ? linesInPlace(current.text, current.format, current.report) : [];
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title="Import systems" size="90%">
      <Stack>
        <Text size="sm">
          CSV with a header row (name, purpose, intendedUse, aiType, deploymentKind, euRiskTier, tags separated by “;”,
          accountableOwnerEmail, …) or a JSON array in the export's shape. Check it first: nothing is written until every line is valid.
        </Text>
        <Group align="flex-end">
          <FileInput label="File" accept=".csv,.json,text/csv,application/json" onChange={readFile} clearable w={320} />
          <SegmentedControl
            aria-label="Format"
            value={format}
            onChange={(v) => setFormat(v as Format)}
            data={[
              { value: 'csv', label: 'CSV' },
              { value: 'json', label: 'JSON' },
            ]}
          />
        </Group>
        <Textarea
          label="Or paste the file's content"
          autosize
          minRows={4}
          maxRows={10}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
        />
        {error && <ErrorState error={error} title="The server refused the file" />}
        {current && (
          <Stack gap="xs" aria-label="Dry run result">
            <Group gap="xs" role="status">
              <Badge color="green" variant="light" c="var(--mantine-color-text)">
                {current.report.valid} valid
              </Badge>
              <Badge color={current.report.invalid.length ? 'red' : 'gray'} variant="light" c="var(--mantine-color-text)">
                {current.report.invalid.length} with errors
              </Badge>
              {current.report.invalid.length === 0 && <Text size="sm">Every line is valid: you can import the file.</Text>}
            </Group>
            <ScrollArea.Autosize mah={360} type="auto">
              <Table withTableBorder fz="xs" verticalSpacing={2} aria-label="The file, line by line, with the errors found">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={60}>{current.format === 'csv' ? 'Line' : 'Item'}</Table.Th>
                    <Table.Th>Content and errors</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {lines.map((line) => (
                    <Table.Tr key={line.line} data-line={line.line} data-invalid={line.errors.length > 0 || undefined}>
                      <Table.Td style={{ verticalAlign: 'top' }}>{line.line}</Table.Td>
                      <Table.Td>
                        <Text ff="monospace" size="xs" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                          {line.text}
                        </Text>
                        {line.errors.map((message) => (
                          <Text key={message} size="xs" c="light-dark(#a51d1d, var(--mantine-color-red-3))" fw={600}>
                            ⚠ {message}
                          </Text>
                        ))}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
          </Stack>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button variant="light" onClick={() => dryRun.mutate()} loading={dryRun.isPending} disabled={text.trim() === ''}>
            Check (dry run)
          </Button>
          <Button onClick={() => load.mutate()} loading={load.isPending} disabled={!current || current.report.invalid.length > 0}>
            Import {current ? current.report.valid : ''} systems
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
