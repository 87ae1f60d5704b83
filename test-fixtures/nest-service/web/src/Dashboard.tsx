import { useEffect, useState } from 'react';

export function Dashboard({ ids }: { ids: string[] }) {
  const [cards, setCards] = useState<unknown[]>([]);
  useEffect(() => {
    // ok: unbounded-fan-out -- the browser fetching the cards it shows
    void Promise.all(ids.map((id) => fetch(`/api/cards/${id}`).then((r) => r.json()))).then(setCards);
  }, [ids]);
  return <ul>{cards.map((c, i) => <li key={i}>{String(c)}</li>)}</ul>;
}
