// The person's saved views of the inventory: links to filter sets, kept in this browser.
import { ActionIcon, Anchor, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import type { InventorySearch } from '../../routes/systems.routes';
import { loadViews, removeView, type SavedView, saveView, storeViews, viewHref } from './savedViews';

export function SavedViews({ search }: { search: InventorySearch }) {
  const [views, setViews] = useState<SavedView[]>(() => loadViews());
  const [opened, { open, close }] = useDisclosure(false);
  const [name, setName] = useState('');
  const update = (next: SavedView[]) => {
    storeViews(next);
    setViews(next);
  };
  const current = viewHref({ ...search, page: undefined });
  return (
    <Group gap="xs" mb="sm" aria-label="Saved views" role="group">
      <Text size="sm" fw={600}>
        Saved views:
      </Text>
      {views.length === 0 && (
        <Text size="sm" c="dimmed">
          none yet
        </Text>
      )}
      {views.map((view) => (
        <Group key={view.name} gap={2} wrap="nowrap">
          <Anchor
            renderRoot={(props) => <Link {...props} to="/systems" search={view.search} />}
            size="sm"
            fw={viewHref(view.search) === current ? 700 : 400}
            aria-current={viewHref(view.search) === current ? 'page' : undefined}
          >
            {view.name}
          </Anchor>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            aria-label={`Delete the saved view ${view.name}`}
            onClick={() => update(removeView(views, view.name))}
          >
            <span aria-hidden="true">×</span>
          </ActionIcon>
        </Group>
      ))}
      <Button size="compact-sm" variant="subtle" onClick={open}>
        Save this view
      </Button>
      <Modal opened={opened} onClose={close} closeButtonProps={{ 'aria-label': 'Close' }} title="Save this view">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!name.trim()) return;
            update(saveView(views, name, search));
            setName('');
            close();
          }}
        >
          <Stack>
            <Text size="sm">
              The filters and the order now shown, kept in this browser as a link: <code>{current}</code>
            </Text>
            <TextInput label="Name of the view" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" disabled={!name.trim()}>
                Save view
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Group>
  );
}
