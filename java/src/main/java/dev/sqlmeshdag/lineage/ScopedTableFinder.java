package dev.sqlmeshdag.lineage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Collects the tables a parsed statement reads with SQL scoping of CTE names, as sqlglot's scope traversal does
 * for SQLMesh: a CTE hides a table of the same name only inside the query that declares it, only after its own
 * definition (unless {@code RECURSIVE}), and a table is hidden when its last name part matches, qualified or not.
 * JSqlParser's own finder treats CTE names as global, which loses tables that are shadowed only locally.
 */
final class ScopedTableFinder extends TablesNamesFinder<Void> {

    private final Deque<Set<String>> scopes = new ArrayDeque<>();
    private final Set<String> found = new LinkedHashSet<>();
    private final UnaryOperator<String> fold;

    /** @param fold turns an identifier as written into the form the dialect resolves it to */
    ScopedTableFinder(UnaryOperator<String> fold) {
        this.fold = fold;
    }

    List<String> find(Statement statement) {
        getTableList(statement);
        return new ArrayList<>(found);
    }

    @Override
    public <S> Void visit(Table table, S context) {
        String name = table.getName();
        if (name == null || name.isEmpty()) {
            return null;
        }
        // the whole name: BigQuery's case rule for a table depends on whether it is qualified
        String key = fold.apply(table.getFullyQualifiedName());
        boolean hidden = scopes.stream().anyMatch(scope -> scope.contains(key));
        if (!hidden) {
            found.add(table.getFullyQualifiedName());
        }
        return null;
    }

    @Override
    public <S> Void visit(PlainSelect select, S context) {
        inScope(select, context, () -> {
            super.visit(select, context);
            visitClausesTheBaseSkips(select, context);
        });
        return null;
    }

    @Override
    public <S> Void visit(SetOperationList list, S context) {
        inScope(list, context, () -> super.visit(list, context));
        return null;
    }

    @Override
    public <S> Void visit(ParenthesedSelect select, S context) {
        inScope(select, context, () -> select.getSelect().accept((net.sf.jsqlparser.statement.select.SelectVisitor<Void>) this, context));
        return null;
    }

    @Override
    public <S> Void visit(Select select, S context) {
        select.accept((net.sf.jsqlparser.statement.select.SelectVisitor<Void>) this, context);
        return null;
    }

    /** Subqueries can sit in QUALIFY, GROUP BY and ORDER BY too; sqlglot counts the tables they read. */
    private <S> void visitClausesTheBaseSkips(PlainSelect select, S context) {
        visitExpression(select.getQualify(), context);
        if (select.getGroupBy() != null && select.getGroupBy().getGroupByExpressionList() != null) {
            for (Object e : select.getGroupBy().getGroupByExpressionList()) {
                visitExpression((Expression) e, context);
            }
        }
        if (select.getOrderByElements() != null) {
            for (OrderByElement o : select.getOrderByElements()) {
                visitExpression(o.getExpression(), context);
            }
        }
    }

    private <S> void visitExpression(Expression e, S context) {
        if (e != null) {
            e.accept(this, context);
        }
    }

    /**
     * Opens the scope of one query level: each CTE body is read seeing only the CTEs declared before it, then the
     * query itself is read seeing all of them. The WITH list is detached meanwhile so the base class does not
     * read the bodies a second time without their scope.
     */
    private <S> void inScope(Select select, S context, Runnable body) {
        List<WithItem<?>> withs = select.getWithItemsList();
        Set<String> scope = new HashSet<>();
        scopes.push(scope);
        try {
            if (withs != null && !withs.isEmpty()) {
                boolean recursive = withs.stream().anyMatch(WithItem::isRecursive);
                select.setWithItemsList(null);
                try {
                    for (WithItem<?> with : withs) {
                        String name = fold.apply(with.getAlias().getName());
                        if (recursive) {
                            scope.add(name);
                        }
                        with.getSelect().accept((net.sf.jsqlparser.statement.select.SelectVisitor<Void>) this, context);
                        scope.add(name);
                    }
                    body.run();
                } finally {
                    select.setWithItemsList(withs);
                }
            } else {
                body.run();
            }
        } finally {
            scopes.pop();
        }
    }
}
