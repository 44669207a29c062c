import { run } from './app.js';

for (const { user, plan, rows, count } of await run()) {
  console.log(`${user} may view ${String(count)} document(s):`);
  for (const row of rows) console.log(`  ${row.id}  ${row.title}`);
  console.log(`  plan: ${JSON.stringify(plan.kind === 'conditional' ? plan.condition : plan.kind)}`);
}
