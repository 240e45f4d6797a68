// ESLint flat config: JavaScript's recommended rules and typescript-eslint's type-checked ones;
// Prettier owns the layout (eslint-config-prettier, last, turns off every rule that would fight it).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'bench/results/', 'test/artifacts/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A leading underscore marks what must be named but is not used: the fourth argument that makes
      // Express treat a function as an error handler, a field left out of a rest copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `declare global { namespace Express { … } }` is how Express's own types are extended (Locals,
      // User, Request); namespaces that hold code are still refused.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
    },
  },
  {
    // A migration is frozen at the schema of its day, so it takes `Kysely<any>` (as Kysely's
    // migration guide says) rather than today's table types, which would break old migrations.
    files: ['db/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests read HTTP answers as parsed JSON (`any`, named `Json` where it is passed around) and
    // assert their shape with Chai: the assertion is the check, and a type for every answer would
    // only repeat the schemas under test.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain Node scripts, run before dependencies or TypeScript are there: not type-checked.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  prettier,
);
